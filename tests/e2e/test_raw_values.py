"""Seen in chromium: work-order history and workflow actions by their labels, the Swagger page and
the file picker in Chinese.  Screenshots go to test-artifacts/raw-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.cases import handled_order

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


@pytest.fixture
def root(page: Any, settings: Any, tmp_path: Any) -> Any:
    from regwatch.accounts.models import User

    settings.MEDIA_ROOT = str(tmp_path / "media")
    user, _ = User.objects.get_or_create(username="root", defaults={"is_superuser": True, "scope_all": True, "display_name": "系统总管"})
    user.set_password("Regwatch#2026")
    user.must_change_password = False
    user.save()
    return user


def test_history_workflow_swagger_and_file_picker_read_in_chinese(page: Any, root: Any) -> None:
    order = handled_order(close=False)
    login(page, "root")

    page.goto(f"{page.base_url}/work-orders/{order.pk}/")
    body = page.locator("body")
    expect(body).to_contain_text("转至单位")
    expect(body).to_contain_text(order.assignee_org.name)
    expect(body).to_contain_text("确认风险")
    assert "confirmed_risk" not in body.inner_text()
    page.screenshot(path=str(ARTIFACTS / "raw-work-order-history.png"), full_page=True)

    page.goto(f"{page.base_url}/workflows/{order.workflow_id}/")
    actions = page.locator("table").filter(has_text="必填项")
    expect(actions).to_contain_text("待签收")
    expect(actions).to_contain_text("业务管理员")
    assert "pending_sign" not in actions.inner_text() and "business_admin" not in actions.inner_text()
    page.screenshot(path=str(ARTIFACTS / "raw-workflow-actions.png"), full_page=True)

    page.goto(f"{page.base_url}/audit-events/?object_type=workorders.workorder")
    page.locator("#object-list tbody tr a").first.click()
    expect(page.locator("#event-changes")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "raw-audit-event.png"), full_page=True)

    page.goto(f"{page.base_url}/api/docs/")
    expect(page.locator(".info .title")).to_contain_text("监管风险智治平台 接口文档")
    expect(page.locator(".opblock-tag").filter(has_text="监管主体").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.locator(".opblock-tag").filter(has_text="监管主体").first.click()
    expect(page.locator(".opblock-summary-description").filter(has_text="监管主体列表").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "raw-swagger.png"))

    page.goto(f"{page.base_url}/intake/upload/")
    picker = page.locator(".file-picker").first
    expect(picker).to_contain_text("选择文件")
    expect(picker).to_contain_text("未选择文件")
    picker.locator("input[type=file]").set_input_files(
        files=[{"name": "检查记录.csv", "mimeType": "text/csv", "buffer": "统一社会信用代码\n".encode()}]
    )
    expect(picker).to_contain_text("检查记录.csv")
    page.screenshot(path=str(ARTIFACTS / "raw-file-picker.png"), full_page=True)
