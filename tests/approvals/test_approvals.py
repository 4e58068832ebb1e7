"""审批: bulk exports, clear-value exports and grade changes need a second person's yes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from regwatch.approvals import services
from regwatch.approvals.models import ApprovalRequest
from regwatch.audit.models import AccessEvent, AuditEvent
from regwatch.core.masking import mask_name
from regwatch.notifications.models import Message
from regwatch.scoring import overrides
from regwatch.scoring.models import GradeScheme
from regwatch.subjects.models import Subject
from tests.conftest import login


def _workbook(response: Any) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


@override_settings(REGWATCH_EXPORT_APPROVAL_ROWS=3)
def test_a_large_export_needs_an_approval_used_once(inspector: Any, leader: Any, django_user_model: Any) -> None:
    client = login(inspector)
    query = {"status": "active", "export": "xlsx"}
    refused = client.get("/subjects/", query)
    assert refused.status_code == 403 and "导出需要审批" in refused.content.decode()
    assert not AccessEvent.objects.filter(action="export", actor=inspector).exists()

    # Ask, with a reason: one request, the leader is told.
    form = {"list": "subjects", "query": "status=active&export=xlsx", "reason": "年度统计报送"}
    response = client.post("/approvals/request-export/", form)
    req = ApprovalRequest.objects.get(requester=inspector, kind="export")
    assert response["Location"] == f"/approvals/{req.pk}/"
    assert req.status == "pending" and req.target["filters"] == {"status": ["active"]} and req.reason == "年度统计报送"
    assert Message.objects.filter(recipient=leader, kind="approval_pending").exists()
    assert client.get("/subjects/", query).status_code == 403  # still pending

    # The requester cannot approve it, even with the permission.
    inspector.user_permissions.add(*_perms("approve_export"))
    inspector = django_user_model.objects.get(pk=inspector.pk)
    with pytest.raises(PermissionDenied, match="另一名用户"):
        services.decide(inspector, req, approve=True)

    page = login(leader).get("/approvals/", {"view": "todo"}).content.decode()
    assert req.title in page
    assert login(leader).post(f"/approvals/{req.pk}/decide/", {"action": "approve", "note": "同意"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "approved" and req.approver == leader and req.valid_until is not None

    # Another filter is another export: still refused.
    assert client.get("/subjects/", {"status": "closed", "export": "xlsx", "q": ""}).status_code in (200, 403)
    allowed = client.get("/subjects/", query)
    assert allowed.status_code == 200 and len(_workbook(allowed)) > 4
    req.refresh_from_db()
    assert req.status == "used" and req.used_at is not None
    event = AccessEvent.objects.filter(action="export", actor=inspector).first()
    assert event is not None and event.detail["approval"] == req.pk
    assert client.get("/subjects/", query).status_code == 403  # used once

    # Request, decision and use are audited.
    audited = AuditEvent.objects.filter(object_type="approvals.approvalrequest", object_id=str(req.pk))
    assert audited.count() >= 3


@override_settings(REGWATCH_EXPORT_APPROVAL_ROWS=3)
def test_small_exports_need_no_approval(inspector: Any) -> None:
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    response = login(inspector).get("/subjects/", {"q": subject.uscc, "export": "xlsx"})
    assert response.status_code == 200 and len(_workbook(response)) == 2


def test_a_rejection_needs_a_note_and_tells_the_requester(inspector: Any, leader: Any) -> None:
    req = _request(inspector)
    with pytest.raises(Exception, match="审批意见"):
        services.decide(leader, req, approve=False)
    services.decide(leader, req, approve=False, note="范围过大，请缩小筛选条件")
    req.refresh_from_db()
    assert req.status == "rejected" and req.note == "范围过大，请缩小筛选条件"


def test_an_approval_expires(inspector: Any, leader: Any) -> None:
    req = _request(inspector)
    services.decide(leader, req, approve=True)
    assert services.expire_overdue(timezone.now() + dt.timedelta(days=2)) == 1
    req.refresh_from_db()
    assert req.status == "expired"


def test_an_export_in_clear_needs_a_reason_and_above_a_few_rows_an_approval(leader: Any, inspector: Any) -> None:
    subject = Subject.objects.filter(region__path__startswith=leader.organization.region.path).exclude(legal_representative="").first()
    assert subject is not None
    from regwatch.accounts.preferences import hide_columns

    hide_columns(leader, "subjects", [])
    client = login(leader)
    listing = client.get("/subjects/", {"q": subject.uscc}).content.decode()
    assert "导出明文" in listing

    no_reason = client.get("/subjects/", {"q": subject.uscc, "export": "xlsx", "unmasked": "1"})
    assert no_reason.status_code == 302 and not AccessEvent.objects.filter(action="export", actor=leader).exists()

    one = client.get("/subjects/", {"q": subject.uscc, "export": "xlsx", "unmasked": "1", "reason": "移送公安核查"})
    rows = _workbook(one)
    column = list(rows[0]).index("法定代表人/负责人")
    assert rows[1][column] == subject.legal_representative
    event = AccessEvent.objects.filter(action="export", actor=leader).first()
    assert event is not None and event.detail["unmasked"] is True and event.detail["reason"] == "移送公安核查"

    masked = client.get("/subjects/", {"q": subject.uscc, "export": "xlsx"})
    assert _workbook(masked)[1][column] == mask_name(subject.legal_representative)

    # Many rows in clear: an approval even for the holder of view_unmasked.
    many = client.get("/subjects/", {"export": "xlsx", "unmasked": "1", "reason": "移送公安核查"})
    assert many.status_code == 403 and "敏感字段明文导出" in many.content.decode()

    # Without the permission there is no export in clear at all.
    assert login(inspector).get("/subjects/", {"q": subject.uscc, "export": "xlsx", "unmasked": "1", "reason": "x"}).status_code == 403


def test_a_grade_override_is_in_the_approvals_list_and_decided_there(world: None, django_user_model: Any) -> None:
    proposer = django_user_model.objects.get(username="business_admin")
    approver = django_user_model.objects.get(username="leader")
    subject = Subject.objects.filter(pack="food_credit", region__path__startswith="/330000/330100/", grades__isnull=False).first()
    assert subject is not None
    scheme = GradeScheme.objects.get(code="food_credit_abcd")
    o = overrides.propose(proposer, subject, scheme, "B", "已完成整改", timezone.localdate() + dt.timedelta(days=30))
    req = ApprovalRequest.objects.get(override=o)
    assert req.kind == "grade_override" and req.status == "pending" and req.requester == proposer and req.region == subject.region

    todo = login(approver).get("/approvals/", {"view": "todo"}).content.decode()
    assert subject.name in todo
    mine = login(proposer).get("/approvals/", {"view": "mine"}).content.decode()
    assert subject.name in mine
    assert subject.name not in login(proposer).get("/approvals/", {"view": "todo"}).content.decode()  # not their own

    with pytest.raises(PermissionDenied):
        services.decide(proposer, req, approve=True)
    page = login(approver).get(f"/approvals/{req.pk}/").content.decode()
    assert 'id="approval-decide"' in page and f"/grade-overrides/{o.pk}/" in page
    login(approver).post(f"/approvals/{req.pk}/decide/", {"action": "approve", "note": "同意调整"})
    o.refresh_from_db()
    req.refresh_from_db()
    assert o.status == "approved" and o.approved_by == approver  # scoring's own decision
    assert req.status == "approved" and req.approver == approver and req.note == "同意调整"
    audited = AuditEvent.objects.filter(object_type="approvals.approvalrequest", object_id=str(req.pk))
    assert audited.filter(action="update").exists()  # the decision note
    # The request is one event on the override (its mirror folds in, tests/audit/test_key_operations.py), so is the decision.
    on_override = AuditEvent.objects.filter(object_type="scoring.gradeoverride", object_id=str(o.pk))
    assert on_override.filter(action="create").count() == 1 and on_override.filter(action="update").exists()


def test_an_override_decided_in_scoring_updates_its_approval(world: None, django_user_model: Any) -> None:
    proposer = django_user_model.objects.get(username="business_admin")
    approver = django_user_model.objects.get(username="leader")
    subject = Subject.objects.filter(pack="food_credit", region__path__startswith="/330000/330100/", grades__isnull=False).first()
    assert subject is not None
    scheme = GradeScheme.objects.get(code="food_credit_abcd")
    o = overrides.propose(proposer, subject, scheme, "B", "已完成整改", timezone.localdate() + dt.timedelta(days=30))
    overrides.decide(approver, o, approve=False)
    req = ApprovalRequest.objects.get(override=o)
    assert req.status == "rejected" and req.approver == approver


def _perms(*codenames: str) -> list[Any]:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(content_type__app_label="approvals", codename__in=codenames))


def _request(requester: Any) -> ApprovalRequest:
    region = requester.organization.region
    return ApprovalRequest.objects.create(kind="export", title="监管主体 导出 9000 行", requester=requester, region=region, reason="统计")
