"""我的待办 of a verifier, the 关注 button, and the outbox page with a retry, as seen in chromium."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from regwatch.accounts.models import User
from regwatch.notifications import services
from regwatch.notifications.models import OutboxItem
from regwatch.subjects.models import Subject
from regwatch.warnings.models import WarningRule
from regwatch.workorders.workflow import create_order, transition

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_verifier_todo_follow_button_and_outbox_retry(page: Any, settings: Any) -> None:
    admin_ba, inspector = User.objects.get(username="business_admin"), User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    order = create_order(admin_ba, workflow="risk_disposal", title=f"{subject.name}抽检不合格处置", region=subject.region, subject=subject)
    transition(order, admin_ba, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    photo = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8photo", content_type="image/jpeg")
    transition(order, inspector, "feedback", {"result": "已现场检查并责令整改", "conclusion": "confirmed_risk"}, [photo])

    login(page, "leader")
    page.goto(f"{page.base_url}/workorders/")
    row = page.locator("#queue-table tbody tr", has_text=order.number)
    expect(row).to_contain_text("待核查")
    page.screenshot(path=str(ARTIFACTS / "todo-verification.png"), full_page=True)

    rule = WarningRule.objects.order_by("pk").first()
    assert rule is not None
    page.goto(f"{page.base_url}/warning-rules/{rule.pk}/")
    page.click("#follow-button")
    expect(page.locator("#follow-button")).to_contain_text("已关注")
    page.screenshot(path=str(ARTIFACTS / "rule-follow.png"), full_page=True)

    inspector.phone = "13800000000"
    inspector.save()
    services.notify([inspector], "order_overdue", {"number": order.number, "title": order.title, "state": "待核查", "due": "—"})
    item = OutboxItem.objects.get(channel="sms")
    OutboxItem.objects.filter(pk=item.pk).update(status="dead", attempts=6, error="短信网关返回 HTTP 503：busy（已重试2次）")

    page.context.clear_cookies()  # sign out the leader
    login(page, "admin")
    page.goto(f"{page.base_url}/notifications/outbox/")
    expect(page.locator("h2.page-title")).to_have_text("外发消息")
    dead = page.locator(f"#outbox-{item.pk}")
    expect(dead).to_contain_text("发送失败·已停止重试")
    expect(dead).to_contain_text("138****0000")
    page.screenshot(path=str(ARTIFACTS / "outbox.png"), full_page=True)
    dead.locator(".retry-button").click()
    expect(page.locator(f"#outbox-{item.pk}")).to_contain_text("已发送")
    page.screenshot(path=str(ARTIFACTS / "outbox-after-retry.png"), full_page=True)
