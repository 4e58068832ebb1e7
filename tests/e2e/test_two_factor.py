"""In a browser: an administrator enrols an authenticator app at first sign-in, then signs in with a code."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import totp_code
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


def _password(page: Any, username: str) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Regwatch#2026")
    page.click("button[type=submit]")


def test_an_admin_enrols_then_signs_in_with_a_code(page: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from regwatch.accounts.models import User

    admin = User.objects.get(username="admin")
    _password(page, "admin")
    page.wait_for_selector("#otp-setup-form")
    assert page.url.endswith("/account/otp/setup/?next=%2F")
    assert page.locator("#main-nav").count() == 0  # nothing else works yet
    assert "您担任管理类角色" in page.inner_text("#otp-required")
    box = page.locator("#otp-qr svg").bounding_box()
    assert box and box["width"] > 100  # the QR code is drawn
    page.screenshot(path=str(ARTIFACTS / "otp-enrol.png"), full_page=True)

    # What a phone does: take the key shown, compute the current code.
    typed = page.inner_text("#otp-secret").replace(" ", "")
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key
    page.fill("#id_code", "000000" if totp_code(device) != "000000" else "111111")
    page.click("#otp-submit")
    page.wait_for_selector("#otp-error")
    assert "验证码不正确或已过期" in page.inner_text("#otp-error")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.fill("#id_code", totp_code(device))
    page.click("#otp-submit")
    page.wait_for_selector("#main-nav")
    assert "两步验证已启用" in page.inner_text("body")

    page.context.clear_cookies()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the code of this step was just used
    _password(page, "admin")
    page.wait_for_selector("#otp-form")
    assert "/account/otp/?next=" in page.url
    page.screenshot(path=str(ARTIFACTS / "otp-verify.png"), full_page=True)
    device.refresh_from_db()
    page.fill("#id_code", totp_code(device))
    page.click("#otp-submit")
    page.wait_for_selector("#main-nav")
    page.goto(f"{page.base_url}/users/")
    assert page.locator("#main-nav").count() == 1
