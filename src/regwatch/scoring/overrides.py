"""人工复核/等级调整: one user proposes (reason + evidence + expiry), a different user approves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from regwatch.audit.operations import key_operation
from regwatch.web.services import require, require_in_scope

from .models import GradeOverride, GradeScheme


def propose(
    user: Any, subject: Any, scheme: GradeScheme, level: str, reason: str, expires_on: dt.date, evidence: str = ""
) -> GradeOverride:
    require(user, "scoring.add_gradeoverride")
    require_in_scope(user, subject)
    if level not in {lv["code"] for lv in scheme.levels}:
        raise ValidationError(f"等级 {level} 不在等级方案 {scheme.name} 中")
    if not reason.strip():
        raise ValidationError("请填写调整理由")
    if expires_on <= timezone.localdate():
        raise ValidationError("有效期须晚于今天")
    # One event on the override: its mirror in the 审批 list (approvals) folds in.
    with transaction.atomic(), key_operation() as op:
        override = GradeOverride.objects.create(
            subject=subject, scheme=scheme, level=level, reason=reason, evidence=evidence, expires_on=expires_on, proposed_by=user
        )
        op.about(override, created=True)
    return override


def decide(user: Any, override: GradeOverride, approve: bool) -> GradeOverride:
    """Approve or reject: one audit event on the override (what the approval sets off folds in)."""
    with transaction.atomic(), key_operation() as op:
        decided = _decide(user, override, approve)
        op.about(decided)
    return decided


def _decide(user: Any, override: GradeOverride, approve: bool) -> GradeOverride:
    require(user, "scoring.change_gradeoverride")
    require_in_scope(user, override.subject)
    override = GradeOverride.objects.select_for_update().get(pk=override.pk)
    if override.status != GradeOverride.Status.PROPOSED:
        raise ValidationError("该等级调整已处理")
    if override.proposed_by_id == user.pk:
        raise PermissionDenied("等级调整须由提出人以外的另一名用户审批（双人复核）")
    override.status = GradeOverride.Status.APPROVED if approve else GradeOverride.Status.REJECTED
    override.approved_by = user
    override.decided_at = timezone.now()
    override.save()
    if approve:
        from . import signals
        from .models import CurrentGrade

        grade = CurrentGrade.objects.filter(subject=override.subject, scheme=override.scheme).first()
        old_level = grade.level if grade else None
        if grade is not None and old_level != override.level:
            codes = [lv["code"] for lv in override.scheme.levels]
            direction = "down" if codes.index(override.level) > codes.index(grade.level) else "up"
            transaction.on_commit(
                lambda: signals.grade_changed.send_robust(
                    sender=GradeOverride,
                    subject_id=override.subject_id,
                    scheme=override.scheme.code,
                    old_level=old_level,
                    new_level=override.level,
                    old_score=grade.score,
                    new_score=grade.score,
                    as_of=timezone.localdate(),
                    run_id=None,
                    direction=direction,
                )
            )
    return override
