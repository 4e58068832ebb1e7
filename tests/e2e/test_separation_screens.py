"""In a browser: the system administrator's self-grant is refused beside the form; the security
administrator's grant shows in the user's history by the role's Chinese name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def _choose_role(page: Any, label: str) -> None:
    # The role list may be an enhanced widget; choose on the form's own <select>, as a user's click does.
    page.evaluate(
        """label => { const s = document.querySelector('#id_groups');
            for (const o of s.options) if (o.text === label) o.selected = true;
            s.dispatchEvent(new Event('change', {bubbles: true})); }""",
        label,
    )


def test_self_grant_refused_and_a_security_admin_grant_in_the_history(page: Any) -> None:
    from regwatch.accounts.models import User

    admin, leader = User.objects.get(username="admin"), User.objects.get(username="leader")
    login(page, "admin")
    page.goto(f"{page.base_url}/users/{admin.pk}/edit/")
    _choose_role(page, "模型管理员")
    page.click("#save-button")
    page.wait_for_selector("text=不能修改自己的角色")
    page.screenshot(path=str(ARTIFACTS / "accounts-self-grant-refused.png"), full_page=True)
    assert User.objects.get(pk=admin.pk).role_names == ["系统管理员"]

    page.context.clear_cookies()
    login(page, "security_admin")
    page.goto(f"{page.base_url}/users/{leader.pk}/edit/")
    _choose_role(page, "模型管理员")
    page.click("#save-button")
    page.wait_for_url(f"**/users/{leader.pk}/")
    history = page.inner_text("body")
    assert "角色" in history and "模型管理员" in history and "security_admin" in history
    page.screenshot(path=str(ARTIFACTS / "accounts-role-granted-history.png"), full_page=True)
