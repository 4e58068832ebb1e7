"""派单处置 on the warning page posts to workorders: the warnings app never imports work orders."""

from __future__ import annotations

from typing import Any

from django.test import Client

from regwatch.notifications.models import Message
from regwatch.workorders.models import WorkflowDefinition, WorkOrder
from regwatch.workorders.workflow import create_order, transition


def test_warning_page_dispatches_to_a_new_order(business_admin: Any, warning: Any) -> None:
    client = Client()
    client.force_login(business_admin)
    body = client.get(f"/warnings/{warning.pk}/").content.decode()
    assert "生成工单" in body and f"/workorders/from-warning/{warning.pk}/" in body
    workflow = WorkflowDefinition.objects.filter(is_current=True).first()
    assert workflow is not None and workflow.name in body
    r = client.post(f"/workorders/from-warning/{warning.pk}/", {"workflow": workflow.code})
    order = WorkOrder.objects.get(warning=warning)
    assert r.status_code == 302 and r["Location"] == f"/work-orders/{order.pk}/"
    warning.refresh_from_db()
    assert warning.status == "dispatched" and order.subject_id == warning.subject_id


def test_dispatch_refuses_an_unknown_workflow_and_other_users(business_admin: Any, inspector_client: Any, warning: Any) -> None:
    client = Client()
    client.force_login(business_admin)
    r = client.post(f"/workorders/from-warning/{warning.pk}/", {"workflow": "no_such_flow"}, follow=True)
    assert "未定义的工单类型" in r.content.decode() and not WorkOrder.objects.filter(warning=warning).exists()
    inspector_client.post(f"/workorders/from-warning/{warning.pk}/", {"workflow": WorkflowDefinition.objects.first().code})  # type: ignore[union-attr]
    assert not WorkOrder.objects.filter(warning=warning).exists()  # inspectors do not dispatch


def test_an_assigning_step_reaches_notifications_through_order_event(
    business_admin: Any, inspector: Any, warning: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """workorders sends ``order_event``; notifications (above it) turns it into the assignee's message."""
    subject = warning.subject
    order = create_order(business_admin, workflow="risk_disposal", title="派单", region=subject.region, subject=subject, warning=warning)
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    message = Message.objects.get(recipient=inspector, kind="order_assigned")
    assert order.number in message.title and message.url == f"/work-orders/{order.pk}/"
