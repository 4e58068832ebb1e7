"""Sign-ins, sign-outs and failed sign-ins each leave exactly one access event, never a password."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from regwatch.audit.models import AccessEvent

PASSWORD = "Regwatch#2026"


def _events(action: str) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=action))


def test_login_and_logout_each_write_one_event(inspector: Any) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 302
    [login] = _events("login")
    assert login.actor == inspector and login.target == "inspector" and login.ip == "198.51.100.7"

    client.post("/logout/")
    [logout] = _events("logout")
    assert logout.actor == inspector
    assert len(_events("login")) == 1


def test_a_failed_login_writes_one_event_with_the_name_typed_and_no_password(inspector: Any) -> None:
    Client(REMOTE_ADDR="198.51.100.8").post("/login/", {"username": "inspector", "password": "wrong-Secret#1"})
    [failed] = _events("login_failed")
    assert failed.actor is None and failed.target == "inspector" and failed.ip == "198.51.100.8"
    assert "wrong-Secret#1" not in json.dumps(failed.detail, ensure_ascii=False) + failed.target + failed.actor_label
    assert not _events("login")


def test_the_access_log_names_the_actions_in_chinese(admin: Any, inspector: Any) -> None:
    Client().post("/login/", {"username": "inspector", "password": PASSWORD})
    client = Client()
    client.force_login(admin)
    body = client.get("/access-events/").content.decode()
    assert "登录" in body and ">login<" not in body
