from __future__ import annotations

from typing import Any

from django.test import Client


def _post(client: Client, password: str) -> Any:
    return client.post("/login/", {"username": "leader", "password": password}, REMOTE_ADDR="10.1.2.3")


def test_account_is_locked_at_the_fifth_failure_even_for_the_right_password(leader: Any) -> None:
    client = Client()
    for _ in range(4):
        assert "用户名或密码错误" in _post(client, "wrong-password").content.decode()
    assert _post(client, "wrong-password").status_code == 429  # the fifth failure locks
    locked = _post(client, "Regwatch#2026")
    assert locked.status_code == 429
    assert "该账号已被临时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_signs_in_and_resets_the_count(leader: Any) -> None:
    client = Client()
    for _ in range(3):
        _post(client, "wrong-password")
    response = _post(client, "Regwatch#2026")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(leader.pk)
    for _ in range(3):
        _post(Client(), "wrong-password")
    assert _post(Client(), "Regwatch#2026").status_code == 302  # counter was reset by the success
