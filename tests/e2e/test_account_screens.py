"""In a browser: an administrator resets a password, its owner must change it, a hidden object is a plain 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_reset_then_forced_change_then_free_to_work(page: Any) -> None:
    from regwatch.accounts.models import User

    leader = User.objects.get(username="leader")
    login(page, "admin")
    page.goto(f"{page.base_url}/users/{leader.pk}/")
    page.click("#reset-password")
    page.click("#reset-button")
    temporary = page.inner_text("#temporary-password").strip()
    page.context.clear_cookies()

    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", temporary)
    page.click("button[type=submit]")
    page.wait_for_selector("#forced-change")
    assert page.url.endswith("/account/password/")
    page.wait_for_timeout(1500)  # let the navbar badge poll: it must not swap a second form in
    assert page.locator("#password-form").count() == 1
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "Qiantang#River2026")
    page.fill("#id_new_password2", "Qiantang#River2027")
    page.click("#save-button")
    page.wait_for_selector(".invalid-feedback")
    assert "两次输入的密码不一致" in page.inner_text("#password-form")
    page.screenshot(path=str(ARTIFACTS / "account-password-change.png"), full_page=True)
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "Qiantang#River2026")
    page.fill("#id_new_password2", "Qiantang#River2026")
    page.click("#save-button")
    page.wait_for_selector(".alert-success")
    assert "密码已修改" in page.inner_text("body")
    leader.refresh_from_db()
    assert not leader.must_change_password


def test_an_out_of_scope_subject_is_a_friendly_not_found(page: Any) -> None:
    from regwatch.accounts.models import User
    from regwatch.accounts.scope import visible
    from regwatch.subjects.models import Subject

    inspector = User.objects.get(username="inspector")
    outside = Subject.objects.exclude(pk__in=visible(Subject.objects.all(), inspector)).first()
    assert outside is not None
    login(page, "inspector")
    response = page.goto(f"{page.base_url}/subjects/{outside.pk}/")
    assert response.status == 404
    assert "未找到该对象，或您无权查看" in page.inner_text("#not-found")
    page.screenshot(path=str(ARTIFACTS / "account-not-found.png"), full_page=True)
    page.click("#back-link")
    page.wait_for_url("**/subjects/")
