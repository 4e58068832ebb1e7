"""Every call of the REST API leaves exactly one access event: client, endpoint, status, rows."""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.authtoken.models import Token

from regwatch.audit.models import AccessEvent


def _calls() -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action="api_call"))


def test_a_list_call_is_logged_once_with_its_client_and_rows(api_client_user: Any) -> None:
    token = Token.objects.get_or_create(user=api_client_user)[0].key
    response = Client().get("/api/v1/subjects/?page_size=7&q=有限公司", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    [call] = _calls()
    assert call.actor == api_client_user and call.target == "GET /api/v1/subjects/"
    assert call.detail == {"method": "GET", "status": 200, "rows": len(response.json()["results"]), "total": response.json()["count"]}
    assert "有限公司" not in call.target  # search words stay out of the log


def test_refused_calls_are_logged_too(inspector: Any) -> None:
    assert Client().get("/api/v1/warnings/").status_code == 401
    [anonymous] = _calls()
    assert anonymous.actor is None and anonymous.detail["status"] == 401

    client = Client()
    client.force_login(inspector)
    assert client.get("/api/v1/users/").status_code in (403, 404)
    assert len(_calls()) == 2


def test_pages_are_not_api_calls(inspector: Any) -> None:
    client = Client()
    client.force_login(inspector)
    assert client.get("/subjects/").status_code == 200
    assert _calls() == []
