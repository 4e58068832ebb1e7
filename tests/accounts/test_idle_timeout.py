"""A browser session ends after the idle time; background polls do not count as activity."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

from regwatch.accounts.middleware import LAST_ACTIVITY


def _signed_in(user: Any, idle_for_minutes: float) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[LAST_ACTIVITY] = int(time.time() - idle_for_minutes * 60)
    session.save()
    return client


def test_a_session_idle_too_long_is_signed_out_with_a_reason(inspector: Any, settings: Any) -> None:
    settings.REGWATCH_SESSION_IDLE_MINUTES = 30
    client = _signed_in(inspector, 31)
    response = client.get("/subjects/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?timeout=1")
    assert "长时间未操作，已自动退出" in client.get(response["Location"]).content.decode()
    assert client.get("/subjects/")["Location"].startswith("/login/")  # signed out for good, not just redirected once


def test_activity_keeps_a_session_but_the_navbar_poll_does_not(inspector: Any, settings: Any) -> None:
    settings.REGWATCH_SESSION_IDLE_MINUTES = 30
    client = _signed_in(inspector, 29)
    before = client.session[LAST_ACTIVITY]
    assert client.get("/notifications/badge/", HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND="1").status_code == 200
    assert client.session[LAST_ACTIVITY] == before
    assert client.get("/subjects/").status_code == 200
    assert client.session[LAST_ACTIVITY] >= int(time.time()) - 5


def test_api_calls_and_htmx_fragments_of_a_timed_out_session_get_401(inspector: Any, settings: Any) -> None:
    settings.REGWATCH_SESSION_IDLE_MINUTES = 30
    api = _signed_in(inspector, 45).get("/api/v1/subjects/")
    assert api.status_code == 401 and api["Content-Type"].startswith("application/problem+json")
    fragment = _signed_in(inspector, 45).get("/subjects/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 401 and fragment["HX-Redirect"].startswith("/login/?timeout=1")
