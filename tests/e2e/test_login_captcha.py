"""In a browser: failures bring a CAPTCHA image that renders; answering it signs in; an admin can unlock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login, pass_otp

pytestmark = pytest.mark.e2e


def _try(page: Any, username: str, password: str, captcha: str = "") -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if captcha:
        page.fill("#id_captcha_1", captcha)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _answer(page: Any) -> str:
    from captcha.models import CaptchaStore

    key = page.get_attribute("input[name=captcha_0]", "value")
    return str(CaptchaStore.objects.get(hashkey=key).response)


def test_captcha_after_failures_then_sign_in_and_unlock(page: Any) -> None:
    page.goto(f"{page.base_url}/login/")
    for i in range(3):
        _try(page, "leader", f"wrong-{i}")
    assert "用户名或密码错误" in page.inner_text("form")
    page.wait_for_selector("#captcha-image")
    width = page.eval_on_selector("#captcha-image", "img => img.complete && img.naturalWidth")
    assert width and width > 0  # the PNG is drawn and decoded by chromium
    assert page.input_value("#id_username") == "leader"
    _try(page, "leader", "Regwatch#2026", captcha="zzzz")
    assert "验证码错误，请重新输入图中字符。" in page.inner_text("#captcha-group")
    page.screenshot(path=str(ARTIFACTS / "login-captcha.png"), full_page=True)

    _try(page, "leader", "wrong-again", captcha=_answer(page))
    _try(page, "leader", "wrong-again-2", captcha=_answer(page))  # the fifth failure: a delay begins
    assert "请约1分钟后再试" in page.inner_text("#locked-out")
    page.screenshot(path=str(ARTIFACTS / "login-locked-out.png"), full_page=True)

    from regwatch.accounts.models import User

    leader = User.objects.get(username="leader")
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/login/")  # this address has failed three times: CAPTCHA for anyone here
    _try(page, "admin", "Regwatch#2026", captcha=_answer(page))
    pass_otp(page, "admin")  # the system administrator's second factor
    page.wait_for_selector("#main-nav")
    page.goto(f"{page.base_url}/users/{leader.pk}/")
    assert "正在等待延时或须输入验证码" in page.inner_text("#login-limits")
    page.screenshot(path=str(ARTIFACTS / "user-login-limits.png"), full_page=True)
    page.fill("#unlock-ip", "127.0.0.1")
    page.click("#unlock-login")
    page.wait_for_selector("text=已解除")
    page.context.clear_cookies()
    login(page, "leader")  # no delay, no CAPTCHA: the plain e2e login works again
