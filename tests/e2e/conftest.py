from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import totp_code

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make here are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("REGWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("REGWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    from tests.conftest import build_world

    build_world()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    context.close()


def otp_device(username: str) -> Any:
    """The user's authenticator device, enrolled if need be, ready to take this time step's code again
    (a code is accepted once: an earlier sign-in of the same test may have used it)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from regwatch.accounts import otp
    from regwatch.accounts.models import User

    user = User.objects.get(username=username)
    device = otp.device_of(user) or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    return device


def pass_otp(page: Any, username: str) -> None:
    """On the two-factor page after the password: type the current code of the user's device."""
    device = otp_device(username)
    page.wait_for_load_state()
    if page.locator("#otp-form").count() == 0:  # sent to enrol before the device above existed
        page.goto(f"{page.base_url}/account/otp/")
    page.wait_for_selector("#otp-form")
    page.fill("#id_code", totp_code(device))
    page.click("#otp-submit")


def needs_otp(username: str) -> bool:
    from regwatch.accounts import otp
    from regwatch.accounts.models import User

    return otp.required(User.objects.get(username=username))


def login(page: Any, username: str, password: str = "Regwatch#2026") -> None:
    two_factor = needs_otp(username)
    if two_factor:
        otp_device(username)  # enrolled: the code page, not the enrolment page (tests/e2e/test_two_factor.py)
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    if two_factor:
        pass_otp(page, username)
    page.wait_for_selector("#main-nav")
