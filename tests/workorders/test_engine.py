"""The generic workflow engine: the whole life of a risk-disposal order, refusals, versions, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from regwatch.audit.models import AuditEvent
from regwatch.subjects.models import Record
from regwatch.subjects.signals import records_added
from regwatch.workorders.models import WorkflowDefinition, WorkOrder
from regwatch.workorders.spec import load_workflows
from regwatch.workorders.timeline import timeline
from regwatch.workorders.workflow import TransitionRefused, create_order, transition

from .conftest import photo


def _order(user: Any, warning: Any) -> WorkOrder:
    return create_order(
        user,
        workflow="risk_disposal",
        title=warning.title,
        region=warning.subject.region,
        subject=warning.subject,
        source="warning",
        warning=warning,
    )


def test_full_life_from_warning_to_archive(
    business_admin: Any, inspector: Any, leader: Any, warning: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = _order(business_admin, warning)
    warning.refresh_from_db()
    assert warning.status == "dispatched" and order.state == "pending_dispatch" and order.due_at is not None
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    order.refresh_from_db()
    assert order.state == "pending_sign" and order.assignee_org == inspector.organization
    transition(order, inspector, "sign")
    transition(order, leader, "supervise", {"instruction": "限期办结，及时报告"})
    order.refresh_from_db()
    assert order.supervised and order.state == "handling"
    with pytest.raises(TransitionRefused, match="须上传至少1个附件"):
        transition(order, inspector, "feedback", {"result": "现场检查发现问题", "conclusion": "confirmed_risk"})
    transition(order, inspector, "feedback", {"result": "现场检查发现问题", "conclusion": "confirmed_risk"}, [photo()])
    transition(order, business_admin, "rework", {"reason": "照片不清晰"})
    transition(order, inspector, "feedback", {"result": "补充照片", "conclusion": "confirmed_risk"}, [photo("补充.jpg", b"more")])
    received: list[Any] = []
    records_added.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t-wo")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            transition(order, business_admin, "verify_close", {"verify_opinion": "属实，已责令整改"})
    finally:
        records_added.disconnect(dispatch_uid="t-wo")
    order.refresh_from_db()
    warning.refresh_from_db()
    assert order.state == "closed" and order.closed_at is not None
    assert warning.status == "closed" and warning.outcome == "confirmed_risk"
    rec = Record.objects.get(source="workorder", source_ref__startswith=order.number)
    assert rec.record_type.code == "rectification" and rec.data["order_no"] == order.number
    assert any(kw["source"] == "workorder" and order.subject_id in kw["subject_ids"] for kw in received)
    transition(order, business_admin, "evaluate", {"satisfaction": 5})
    transition(order, business_admin, "reopen", {"reason": "群众再次投诉"})
    order.refresh_from_db()
    assert order.state == "handling" and order.closed_at is None
    transition(order, inspector, "feedback", {"result": "已整改", "conclusion": "confirmed_risk"}, [photo("整改后.jpg", b"after")])
    transition(order, business_admin, "verify_close", {"verify_opinion": "整改完成"})
    transition(order, business_admin, "archive")
    order.refresh_from_db()
    assert order.state == "archived" and order.archived_at is not None and order.satisfaction == 5
    assert Record.objects.filter(source="workorder", source_ref__startswith=order.number).count() == 2
    # Every transition is a step with actor and time; the merged timeline reconstructs the history.
    steps = list(order.steps.all())
    assert [s.action for s in steps] == [
        "create",
        "dispatch",
        "sign",
        "supervise",
        "feedback",
        "rework",
        "feedback",
        "verify_close",
        "evaluate",
        "reopen",
        "feedback",
        "verify_close",
        "archive",
    ]
    assert all(s.actor_label and s.at and s.ledger_seq for s in steps)
    kinds = [e.kind for e in timeline(order)]
    assert kinds.count("step") == 13 and kinds.count("attachment") == 3
    # One audit event per step (docs/security.md, key operations): the order's creation, then each step.
    assert AuditEvent.objects.filter(object_type="workorders.workorder", object_id=str(order.pk)).count() == 1
    step_events = AuditEvent.objects.filter(object_type="workorders.workorderstep", object_id__in=[str(s.pk) for s in steps])
    assert step_events.count() == len(steps) - 1


@pytest.mark.parametrize(
    ("who", "action", "fields", "message"),
    [
        ("inspector", "dispatch", {"assignee_org": 1}, "只能由业务管理员、领导办理"),
        ("business_admin", "sign", {}, "不能执行“签收”"),
        ("business_admin", "dispatch", {}, "请填写“承办单位”"),
        ("business_admin", "dispatch", {"assignee_org": "abc"}, "“承办单位”应为编号"),
        ("business_admin", "nonsense", {}, "没有此办理动作"),
    ],
)
def test_illegal_transitions_are_refused_in_chinese(
    who: str, action: str, fields: dict[str, Any], message: str, business_admin: Any, inspector: Any, warning: Any
) -> None:
    order = _order(business_admin, warning)
    user = {"inspector": inspector, "business_admin": business_admin}[who]
    with pytest.raises(TransitionRefused, match=message):
        transition(order, user, action, fields)
    order.refresh_from_db()
    assert order.state == "pending_dispatch" and order.steps.count() == 1


def test_only_the_assignee_may_sign(business_admin: Any, inspector: Any, leader: Any, warning: Any) -> None:
    from regwatch.core.models import Organization

    order = _order(business_admin, warning)
    other = (
        Organization.objects.exclude(pk=inspector.organization_id)
        .filter(kind="bureau")
        .exclude(region=inspector.organization.region)
        .first()
    )
    transition(order, business_admin, "dispatch", {"assignee_org": other.pk})
    with pytest.raises(TransitionRefused, match="只能由承办单位或承办人办理"):
        transition(order, inspector, "sign")


def test_running_orders_keep_their_workflow_version(business_admin: Any, warning: Any) -> None:
    order = _order(business_admin, warning)
    v1 = WorkflowDefinition.objects.get(code="risk_disposal", is_current=True)
    spec = dict(v1.definition)
    spec["states"] = [{**s, "deadline": {"working_days": 9}} if s["code"] == "handling" else s for s in spec["states"]]
    load_workflows("food_credit", {"workflows": [spec]})
    v2 = WorkflowDefinition.objects.get(code="risk_disposal", is_current=True)
    assert v2.version == v1.version + 1
    order.refresh_from_db()
    assert order.workflow_id == v1.pk
    assert load_workflows("food_credit", {"workflows": [spec]}) == {"工单流程版本": 0}  # unchanged: no new version
    new = _order(business_admin, warning)
    assert new.workflow_id == v2.pk


def test_api_refusal_is_a_problem_document(business_admin: Any, inspector: Any, warning: Any) -> None:
    from rest_framework.test import APIClient

    order = _order(business_admin, warning)
    client = APIClient()
    client.force_authenticate(inspector)
    r = client.post(
        f"/api/v1/workorders/orders/{order.pk}/transition/", {"action": "dispatch", "fields": {"assignee_org": 1}}, format="json"
    )
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json" and "只能由" in r.json()["detail"]
    r = client.post(f"/api/v1/workorders/orders/{order.pk}/transition/", {"action": "sign"}, format="json")
    assert r.status_code == 409 and "待派发" in r.json()["detail"]
    client.force_authenticate(business_admin)
    r = client.post(f"/api/v1/workorders/orders/{order.pk}/transition/", {"action": "dispatch", "fields": {}}, format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"assignee_org": ["请填写“承办单位”"]}
    r = client.post(
        f"/api/v1/workorders/orders/{order.pk}/transition/",
        {"action": "dispatch", "fields": {"assignee_org": inspector.organization_id}},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "pending_sign" and len(r.json()["steps"]) == 2


def test_ui_refusal_shows_message_and_detail_page_timeline(
    business_admin: Any, inspector: Any, warning: Any, inspector_client: Any
) -> None:
    order = _order(business_admin, warning)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    r = inspector_client.post(f"/workorders/{order.pk}/transition/", {"action": "dispatch", "assignee_org": "1"}, follow=True)
    assert "操作未执行" in r.content.decode()
    r = inspector_client.post(f"/workorders/{order.pk}/transition/", {"action": "sign", "comment": "已签收"}, follow=True)
    body = r.content.decode()
    assert "已签收" in body and "签收 → 处置中" in body and 'id="action-feedback"' in body
    assert inspector_client.get(f"/workorders/{order.pk}/print/").status_code == 200
    pdf = inspector_client.get(f"/workorders/{order.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    _assert_readable_anywhere(pdf.content, order.number)
    order.refresh_from_db()
    assert order.state == "handling" and timezone.now() >= order.state_since


def _assert_readable_anywhere(content: bytes, number: str) -> None:
    """The CJK font travels inside the file (FontFile2), so any viewer, and pdftotext, reads the text."""
    import shutil
    import subprocess

    from regwatch.workorders.casefile import FONT

    if FONT == "STSong-Light":  # no CJK TrueType font on this machine: the non-embedded fallback
        assert b"STSong-Light" in content
        return
    assert b"/FontFile2" in content
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert "WenQuanYi" in fonts and " yes " in fonts  # embedded
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert "监管工单案卷" in text and "办理过程" in text and number in text
