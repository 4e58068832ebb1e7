from __future__ import annotations

from typing import Any

from django.test import Client

from tests.accounts.test_lockout import attempt


def test_delays_begin_at_the_fifth_failure_even_for_the_right_password(leader: Any) -> None:
    client = Client()
    for _ in range(4):
        assert "用户名或密码错误" in attempt(client, "leader", "wrong-password").content.decode()
    assert attempt(client, "leader", "wrong-password").status_code == 429  # the fifth failure starts a delay
    locked = attempt(client, "leader", "Regwatch#2026")
    assert locked.status_code == 429
    assert "请约1分钟后再试" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_signs_in_and_resets_the_count(leader: Any) -> None:
    client = Client()
    for _ in range(4):
        attempt(client, "leader", "wrong-password")
    response = attempt(client, "leader", "Regwatch#2026")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(leader.pk)
    for _ in range(4):
        attempt(Client(), "leader", "wrong-password")
    assert attempt(Client(), "leader", "Regwatch#2026").status_code == 302  # counter was reset by the success
