"""Two-factor sign-in (TOTP): required for the administrator roles, voluntary for others, reset by
the security administrator; wrong codes count toward the login throttling."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from regwatch.accounts.models import User
from regwatch.audit.models import AccessEvent
from tests.conftest import login, login_password_only, totp_code

PASSWORD = "Regwatch#2026"


def _enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="验证器应用", confirmed=True)


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(totp_code(device)) + 500000) % 1000000:06d}"


def _lift_device_delay(device: TOTPDevice) -> None:
    # django-otp's own delay after a failure (1 s, doubling) is a wait, not what these tests are about.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_a_system_admin_without_a_second_factor_is_sent_to_enrol_before_any_page(admin: Any) -> None:
    client = login_password_only(admin)
    response = client.get("/regions/?q=a")
    assert response.status_code == 302 and response["Location"] == "/account/otp/?next=%2Fregions%2F%3Fq%3Da"
    setup = client.get(response["Location"])
    assert setup.status_code == 302 and setup["Location"].startswith("/account/otp/setup/")
    page = client.get(setup["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "您担任管理类角色" in html and 'id="main-nav"' not in html
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed  # not usable until a code proves the app holds the secret
    assert client.get("/api/v1/regions/").json()["detail"] == "请先在网页上完成两步验证"
    assert client.get("/notifications/badge/", HTTP_HX_REQUEST="true").status_code == 403
    assert client.get("/static/regwatch/app.css").status_code != 302


def test_enrolment_confirms_with_a_code_then_the_session_works(admin: Any) -> None:
    client = login_password_only(admin)
    page = client.get("/account/otp/setup/?next=/subjects/").content.decode()
    device = TOTPDevice.objects.get(user=admin)
    secret = page.split('id="otp-secret">')[1].split("<")[0].replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key  # the key typed by hand matches the QR

    wrong = client.post("/account/otp/setup/", {"code": _wrong(device), "next": "/regions/"})
    assert wrong.status_code == 400 and "验证码不正确或已过期" in wrong.content.decode()
    assert client.get("/regions/").status_code == 302
    _lift_device_delay(device)

    done = client.post("/account/otp/setup/", {"code": totp_code(device), "next": "/regions/"})
    assert done.status_code == 302 and done["Location"] == "/regions/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/regions/").status_code == 200
    assert AccessEvent.objects.filter(action="otp_enrol", actor=admin).exists()
    assert AccessEvent.objects.filter(action="otp_failed", target=str(admin)).exists()


def test_an_enrolled_admin_types_the_code_after_the_password(admin: Any) -> None:
    device = _enrolled(admin)
    client = Client()
    signed_in = client.post("/login/", {"username": "admin", "password": PASSWORD, "next": "/regions/"})
    assert signed_in.status_code == 302
    first = client.get(signed_in["Location"])
    assert first.status_code == 302 and first["Location"].startswith("/account/otp/?next=")
    page = client.get(first["Location"]).content.decode()
    assert "请打开手机上的验证器应用" in page

    wrong = client.post("/account/otp/", {"code": _wrong(device), "next": "/regions/"})
    assert wrong.status_code == 400 and "验证码不正确或已过期" in wrong.content.decode()
    assert client.post("/account/otp/", {"code": "12ab", "next": "/regions/"}).status_code == 400
    _lift_device_delay(device)

    code = totp_code(device)
    ok = client.post("/account/otp/", {"code": code, "next": "/regions/"})
    assert ok.status_code == 302 and ok["Location"] == "/regions/"
    assert client.get("/regions/").status_code == 200

    # The same code cannot sign in a second session (the step it belongs to is used up).
    other = login_password_only(admin)
    assert other.post("/account/otp/", {"code": code}).status_code == 400


def test_an_outside_next_is_not_followed(admin: Any) -> None:
    device = _enrolled(admin)
    client = login_password_only(admin)
    ok = client.post("/account/otp/", {"code": totp_code(device), "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_wrong_codes_count_toward_the_login_delay(admin: Any) -> None:
    device = _enrolled(admin)
    client = login_password_only(admin)
    for _ in range(4):
        _lift_device_delay(device)
        assert client.post("/account/otp/", {"code": _wrong(device)}).status_code == 400
    _lift_device_delay(device)
    locked = client.post("/account/otp/", {"code": _wrong(device)})  # the fifth failure from this address
    assert locked.status_code == 429 and "请约1分钟后再试" in locked.content.decode()
    assert client.get("/regions/")["Location"].startswith("/login/")  # signed out: the password again, after the wait
    answer = Client().post("/login/", {"username": "admin", "password": PASSWORD})
    assert answer.status_code == 429  # the password form waits too


def test_logout_works_before_the_second_factor(admin: Any) -> None:
    client = login_password_only(admin)
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/regions/")["Location"].startswith("/login/")


@pytest.mark.parametrize("username", ["security_admin", "auditor"])
def test_every_administrator_role_needs_it(world: None, username: str) -> None:
    client = login_password_only(User.objects.get(username=username))
    assert client.get("/")["Location"].startswith("/account/otp/")


def test_a_business_user_is_not_asked(inspector: Any) -> None:
    assert login_password_only(inspector).get("/subjects/").status_code == 200


def test_the_roles_that_need_it_are_a_setting(admin: Any, settings: Any) -> None:
    settings.REGWATCH_OTP_REQUIRED_ROLES = []
    assert login_password_only(admin).get("/regions/").status_code == 200


def test_api_tokens_of_an_administrator_are_not_affected(admin: Any) -> None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=admin)[0]
    response = Client().get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_anyone_may_enrol_by_choice_and_is_then_asked_at_sign_in(inspector: Any) -> None:
    client = login(inspector)
    page = client.get("/account/otp/setup/").content.decode()
    assert "设置两步验证" in page and "您担任管理类角色" not in page
    device = TOTPDevice.objects.get(user=inspector)
    assert client.post("/account/otp/setup/", {"code": totp_code(device)}).status_code == 302
    assert "已启用" in client.get("/account/otp/setup/").content.decode()

    fresh = login_password_only(inspector)
    assert fresh.get("/regions/")["Location"].startswith("/account/otp/")
    # With the password alone, the device cannot be replaced: the code comes first.
    assert fresh.get("/account/otp/setup/?renew=1")["Location"].startswith("/account/otp/?next=")

    assert client.post("/account/otp/disable/").status_code == 302
    assert not TOTPDevice.objects.filter(user=inspector).exists()
    assert login_password_only(inspector).get("/subjects/").status_code == 200


def test_an_administrator_cannot_switch_it_off(admin: Any) -> None:
    client = login(admin)
    assert "不能关闭" in client.get("/account/otp/setup/").content.decode()
    assert client.post("/account/otp/disable/").status_code == 403
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_the_security_administrator_resets_a_lost_device(security_admin: Any, admin: Any) -> None:
    _enrolled(admin)
    detail = login(security_admin).get(f"/users/{admin.pk}/").content.decode()
    assert "该用户已绑定验证器应用" in detail and 'id="otp-reset"' in detail

    assert login(admin).post(f"/account/users/{admin.pk}/otp-reset/").status_code == 403  # not the system administrator
    assert TOTPDevice.objects.filter(user=admin).exists()

    response = login(security_admin).post(f"/account/users/{admin.pk}/otp-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin).exists()
    event = AccessEvent.objects.get(action="otp_reset")
    assert event.actor == security_admin and event.target == str(admin)
    # The admin's next sign-in enrols again.
    assert login_password_only(admin).get("/account/otp/")["Location"].startswith("/account/otp/setup/")
