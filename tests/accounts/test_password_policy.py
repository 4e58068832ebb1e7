"""Password history (no reuse of the last N) and expiry (change after REGWATCH_PASSWORD_MAX_AGE_DAYS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from regwatch.accounts.models import PasswordHistory, User
from tests.conftest import login

PASSWORDS = ["Qiantang#River2026", "Westlake#Bridge2027", "Lingyin#Temple2028"]


def _change(client: Client, old: str, new: str) -> Any:
    return client.post("/account/password/", {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def short_history(settings: Any) -> None:
    settings.REGWATCH_PASSWORD_HISTORY = 2  # argon2 is slow on purpose: two are enough to show the rule


def test_a_recent_password_is_refused_an_older_one_is_accepted(leader: Any, short_history: None) -> None:
    client = login(leader)
    assert _change(client, "Regwatch#2026", PASSWORDS[0]).status_code == 302
    assert _change(client, PASSWORDS[0], PASSWORDS[1]).status_code == 302

    reused = _change(client, PASSWORDS[1], PASSWORDS[0])  # one of the last two
    assert reused.status_code == 400
    assert "不能使用最近2次用过的密码" in reused.content.decode()

    assert _change(client, PASSWORDS[1], PASSWORDS[2]).status_code == 302
    assert _change(client, PASSWORDS[2], PASSWORDS[0]).status_code == 302  # three back: allowed again
    leader.refresh_from_db()
    assert leader.check_password(PASSWORDS[0])


def test_the_history_holds_argon2_hashes_never_the_password(leader: Any, short_history: None) -> None:
    client = login(leader)
    _change(client, "Regwatch#2026", PASSWORDS[0])
    _change(client, PASSWORDS[0], PASSWORDS[1])
    _change(client, PASSWORDS[1], PASSWORDS[2])
    stored = list(PasswordHistory.objects.filter(user=leader).values_list("password", flat=True))
    assert len(stored) == 2  # older entries are dropped
    assert all(h.startswith("argon2$") for h in stored)
    assert not any(p in h for h in stored for p in PASSWORDS)


def test_an_administrator_cannot_reset_to_a_recent_password(admin_client: Client, leader: Any) -> None:
    response = admin_client.post(
        f"/account/users/{leader.pk}/reset-password/", {"password1": "Regwatch#2026", "password2": "Regwatch#2026"}
    )
    assert response.status_code == 400
    assert "不能使用最近5次用过的密码" in response.content.decode()


def test_the_management_commands_validators_refuse_the_current_password(leader: Any) -> None:
    # `regwatch changepassword` runs validate_password(password, user) as every form here does.
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("Regwatch#2026", leader)
    assert refused.value.error_list[0].code == "password_reused"
    password_validation.validate_password("Completely#New2026", leader)  # a fresh one passes


def test_setting_a_password_starts_its_clock(leader: Any) -> None:
    leader.password_changed_at = None
    leader.set_password("Completely#New2026")
    leader.save(update_fields=["password"])  # however it is saved, the time goes with it
    leader.refresh_from_db()
    assert leader.password_changed_at is not None
    assert timezone.now() - leader.password_changed_at < dt.timedelta(minutes=1)


def _age(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=days))


def test_an_expired_password_sends_the_user_to_the_change_page(leader: Any) -> None:
    _age(leader, 91)
    client = login(leader)
    response = client.get("/subjects/")
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "您的密码已使用超过90天" in page and "按安全规定须定期更换" in page
    assert client.get("/api/v1/subjects/").json()["detail"] == "密码已过期，请先在网页上修改密码"

    assert _change(client, "Regwatch#2026", PASSWORDS[0]).status_code == 302
    assert client.get("/subjects/").status_code == 200
    leader.refresh_from_db()
    assert not leader.password_expired


def test_a_password_within_its_age_or_without_expiry_is_left_alone(leader: Any, settings: Any) -> None:
    _age(leader, 89)
    assert login(leader).get("/subjects/").status_code == 200
    _age(leader, 400)
    settings.REGWATCH_PASSWORD_MAX_AGE_DAYS = 0  # never
    assert login(leader).get("/subjects/").status_code == 200


def test_expiry_does_not_stop_api_tokens(api_client_user: Any) -> None:
    from rest_framework.authtoken.models import Token

    _age(api_client_user, 365)
    token = Token.objects.get_or_create(user=api_client_user)[0]
    response = Client().get("/api/v1/subjects/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] > 0
