"""Requests, decisions and uses of approvals; the masking policy and the export guard.

Permission and data scope are checked here, for the views and any other caller.  Every change
is a save of the audited ``ApprovalRequest`` (request, decision, use, expiry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.accounts.scope import visible
from regwatch.catalog.services import masked_fields
from regwatch.core.masking import mask
from regwatch.notifications import services as notifications
from regwatch.scoring import overrides
from regwatch.scoring.models import GradeOverride
from regwatch.web.export import ExportAsk
from regwatch.web.masking import Policy
from regwatch.web.services import require, require_in_scope

from .models import ApprovalRequest, Kind, Status

VIEW_UNMASKED = "approvals.view_unmasked"
APPROVE_PERM = {
    Kind.EXPORT: "approvals.approve_export",
    Kind.UNMASKED_EXPORT: "approvals.approve_unmasked_export",
    Kind.GRADE_OVERRIDE: "scoring.change_gradeoverride",  # scoring's own two-person rule decides
}
REASON_MAX = 500

notifications.TEMPLATES.setdefault("approval_pending", ("待审批：{kind}", "{requester}申请“{title}”，理由：{reason}。请在审批页面处理。"))
notifications.TEMPLATES.setdefault("approval_decided", ("审批结果：{kind}{result}", "您申请的“{title}”{result}。{note}"))


# --- masking -------------------------------------------------------------------------------


def may_reveal(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(VIEW_UNMASKED))


def masking_policy() -> Policy:
    """The catalog decides which fields are masked and how; ``approvals.view_unmasked`` who may reveal."""
    return Policy(fields=masked_fields, mask=mask, may_reveal=may_reveal)


# --- requests and decisions ----------------------------------------------------------------


def _region(user: Any) -> Any:
    org = getattr(user, "organization", None)
    return org.region if org is not None else None


def clean_reason(reason: str, what: str = "申请理由") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(f"请填写{what}")
    if len(text) > REASON_MAX:
        raise ValidationError(f"{what}不能超过 {REASON_MAX} 个字")
    return text


def approvers(req: ApprovalRequest) -> list[Any]:
    """Active users who may decide ``req`` and see it (data scope), the requester excluded."""
    app, _, codename = APPROVE_PERM[Kind(req.kind)].partition(".")
    perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app
    )
    users = User.objects.filter(perm, is_active=True).exclude(pk=req.requester_id).distinct()
    return [u for u in users if visible(ApprovalRequest.objects.filter(pk=req.pk), u).exists()]


def _notify_approvers(req: ApprovalRequest) -> None:
    url = reverse("web:approvals_detail", args=[req.pk])
    context = {"kind": req.get_kind_display(), "requester": str(req.requester), "title": req.title, "reason": req.reason}
    notifications.notify(approvers(req), "approval_pending", context, url=url)


def export_title(ask: ExportAsk) -> str:
    what = "敏感字段明文导出" if ask.unmasked else "导出"
    return f"{ask.otype.title} {what} {ask.rows} 行"


@transaction.atomic
def request_export(user: Any, ask: ExportAsk, reason: str) -> ApprovalRequest:
    """Ask to run this export (same list, same filters) once; the pending one is reused."""
    require(user, ask.otype.perm("view"))
    require(user, "approvals.add_approvalrequest")
    if ask.unmasked and not may_reveal(user):
        raise PermissionDenied("您没有查看敏感字段明文的权限")
    reason = clean_reason(reason)
    kind = Kind.UNMASKED_EXPORT if ask.unmasked else Kind.EXPORT
    target = {"list": ask.otype.slug, "filters": ask.filters, "rows": ask.rows}
    existing = _matching(user, kind, ask).filter(status=Status.PENDING).first()
    if existing is not None:
        return existing
    req = ApprovalRequest.objects.create(
        kind=kind, title=export_title(ask), requester=user, region=_region(user), target=target, reason=reason
    )
    _notify_approvers(req)
    return req


def _matching(user: Any, kind: str, ask: ExportAsk) -> Any:
    return ApprovalRequest.objects.filter(kind=kind, requester=user, target__list=ask.otype.slug, target__filters=ask.filters).order_by(
        "-created_at"
    )


@transaction.atomic
def decide(user: Any, req: ApprovalRequest, approve: bool, note: str = "") -> ApprovalRequest:
    """Approve or reject; a grade change is decided by scoring's own service (and mirrored back)."""
    require(user, APPROVE_PERM[Kind(req.kind)])
    if not visible(ApprovalRequest.objects.filter(pk=req.pk), user).exists():
        raise PermissionDenied("该审批不在您的数据权限范围内")
    req = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != Status.PENDING:
        raise ValidationError("该申请已处理")
    if req.requester_id == user.pk:
        raise PermissionDenied("申请须由申请人以外的另一名用户审批")
    note = (note or "").strip()[:255]
    if not approve and not note:
        raise ValidationError("驳回时请填写审批意见")
    if req.kind == Kind.GRADE_OVERRIDE:
        assert req.override is not None
        require_in_scope(user, req.override.subject)
        overrides.decide(user, req.override, approve)  # the mirror follows through the receiver
        req.refresh_from_db()
        if note and req.note != note:
            req.note = note
            req.save(update_fields=["note"])
        return req
    req.status = Status.APPROVED if approve else Status.REJECTED
    req.approver = user
    req.decided_at = timezone.now()
    req.note = note
    if approve:
        req.valid_until = req.decided_at + dt.timedelta(hours=settings.REGWATCH_APPROVAL_VALID_HOURS)
    req.save()
    result = "已批准" if approve else "已驳回"
    context = {"kind": req.get_kind_display(), "title": req.title, "result": result, "note": f"审批意见：{note}" if note else ""}
    url = reverse("web:approvals_detail", args=[req.pk])
    notifications.notify([req.requester], "approval_decided", context, url=url)
    return req


def expire_overdue(now: dt.datetime | None = None) -> int:
    """Approved requests not used within their validity become 已过期 (one audited save each)."""
    now = now or timezone.now()
    count = 0
    for req in ApprovalRequest.objects.filter(status=Status.APPROVED, valid_until__lt=now).exclude(kind=Kind.GRADE_OVERRIDE):
        req.status = Status.EXPIRED
        req.save(update_fields=["status"])
        count += 1
    return count


# --- grade overrides: the same list, scoring's own approval ---------------------------------

OVERRIDE_STATUS = {
    GradeOverride.Status.PROPOSED: Status.PENDING,
    GradeOverride.Status.APPROVED: Status.APPROVED,
    GradeOverride.Status.REJECTED: Status.REJECTED,
}


def mirror_override(override: GradeOverride) -> ApprovalRequest:
    """The 审批 entry of a grade change, kept in step with the override (created, decided)."""
    values = {
        "kind": Kind.GRADE_OVERRIDE,
        "title": f"{override.subject.name} 调整为 {override.scheme.level_label(override.level)}（{override.scheme.name}）",
        "requester_id": override.proposed_by_id,
        "region_id": override.subject.region_id,
        "target": {"subject": override.subject_id, "scheme": override.scheme.code, "level": override.level},
        "reason": override.reason,
        "status": OVERRIDE_STATUS[GradeOverride.Status(override.status)],
        "approver_id": override.approved_by_id,
        "decided_at": override.decided_at,
    }
    req = ApprovalRequest.objects.filter(override=override).first()
    if req is None:
        req = ApprovalRequest.objects.create(override=override, **values)
        _notify_approvers(req)
        return req
    changed = [k for k, v in values.items() if getattr(req, k) != v]
    if changed:
        for k in changed:
            setattr(req, k, values[k])
        req.save()
    return req


# --- the export guard ----------------------------------------------------------------------


def usable(user: Any, kind: str, ask: ExportAsk, now: dt.datetime | None = None) -> ApprovalRequest | None:
    now = now or timezone.now()
    return _matching(user, kind, ask).filter(status=Status.APPROVED, valid_until__gte=now).first()


@transaction.atomic
def use(req: ApprovalRequest) -> ApprovalRequest:
    req = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != Status.APPROVED:
        raise ValidationError("该审批已使用或已失效")
    req.status = Status.USED
    req.used_at = timezone.now()
    req.save(update_fields=["status", "used_at"])
    return req


def needs_approval(ask: ExportAsk) -> str | None:
    """The kind of approval an export needs, or ``None``."""
    if ask.unmasked and ask.rows > settings.REGWATCH_UNMASKED_EXPORT_ROWS:
        return Kind.UNMASKED_EXPORT
    if ask.rows > settings.REGWATCH_EXPORT_APPROVAL_ROWS:
        return Kind.EXPORT
    return None


def export_guard(request: HttpRequest, ask: ExportAsk) -> HttpResponse | None:
    """Let the export run, consuming an approved request when it needs one; else offer to ask."""
    kind = needs_approval(ask)
    if kind is None:
        return None
    req = usable(request.user, kind, ask)
    if req is not None:
        ask.approval = use(req).pk
        return None
    pending = _matching(request.user, kind, ask).filter(status=Status.PENDING).first()
    context = {
        "ask": ask,
        "kind": Kind(kind).label,
        "limit": settings.REGWATCH_UNMASKED_EXPORT_ROWS if kind == Kind.UNMASKED_EXPORT else settings.REGWATCH_EXPORT_APPROVAL_ROWS,
        "pending": pending,
        "query": request.GET.urlencode(),
        "can_request": request.user.has_perm("approvals.add_approvalrequest"),
    }
    return render(request, "approvals/export_refused.html", context, status=403)


def pending_count(user: Any) -> int:
    """Requests waiting for this user's decision (in scope, not their own)."""
    kinds = [k for k, perm in APPROVE_PERM.items() if user.has_perm(perm)]
    if not kinds:
        return 0
    qs = visible(ApprovalRequest.objects.filter(status=Status.PENDING, kind__in=kinds), user).exclude(requester=user)
    return qs.count()
