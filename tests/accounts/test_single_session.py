"""REGWATCH_SINGLE_SESSION: a new sign-in ends the user's other browser sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import login

PASSWORD = "Regwatch#2026"


def _sign_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def single(settings: Any) -> None:
    settings.REGWATCH_SINGLE_SESSION = True


def test_a_new_sign_in_ends_the_older_session_which_is_told_why(world: None, single: None) -> None:
    office, home = _sign_in("inspector"), Client()
    old_key = office.session.session_key
    assert office.get("/subjects/").status_code == 200
    assert home.post("/login/", {"username": "inspector", "password": PASSWORD}).status_code == 302

    ended = office.get("/subjects/")
    assert ended.status_code == 302 and ended["Location"] == "/login/?displaced=1"
    assert "您的账号已在其他地方登录" in office.get(ended["Location"]).content.decode()
    assert not Session.objects.filter(session_key=old_key).exists()  # flushed, not just redirected
    assert office.get("/subjects/")["Location"].startswith("/login/?next=")  # signed out for good
    assert home.get("/subjects/").status_code == 200


def test_other_users_and_the_api_are_untouched(world: None, single: None, inspector: Any) -> None:
    from rest_framework.authtoken.models import Token

    leader = _sign_in("leader")
    _sign_in("inspector")
    assert leader.get("/subjects/").status_code == 200
    token = Token.objects.get_or_create(user=inspector)[0]
    for _ in range(2):
        _sign_in("inspector")
        assert Client().get("/api/v1/subjects/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200


def test_an_ended_session_gets_a_problem_document_from_the_api_and_a_redirect_in_htmx(world: None, single: None) -> None:
    first = _sign_in("leader")
    second = _sign_in("leader")
    assert first.get("/api/v1/subjects/").json()["detail"] == "您的账号已在其他地方登录"
    third = _sign_in("leader")
    fragment = second.get("/notifications/badge/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 401 and fragment["HX-Redirect"] == "/login/?displaced=1"
    assert third.get("/subjects/").status_code == 200


def test_changing_the_password_keeps_the_session_it_was_changed_in(leader: Any, single: None) -> None:
    client = _sign_in("leader")
    new = "Qiantang#River2026"
    changed = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert changed.status_code == 302
    assert client.get("/subjects/").status_code == 200


def test_without_the_setting_sessions_live_side_by_side(leader: Any) -> None:
    first, second = login(leader), login(leader)
    assert first.get("/subjects/").status_code == 200 and second.get("/subjects/").status_code == 200
