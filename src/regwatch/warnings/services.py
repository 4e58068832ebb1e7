"""The warning lifecycle: review (confirm/dismiss), snooze, suppress, merge, dispatch, close."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.audit.operations import key_operation
from regwatch.core.text import error_text
from regwatch.web.services import require, require_in_scope

from .models import LEVEL_RANK, OPEN_STATUSES, Outcome, Status, Suppression, Warning


def scoped(user: Any) -> Any:
    """The warnings ``user`` may see, for the pool, the API and the apps above us."""
    return visible(Warning.objects.select_related("subject__region", "rule"), user)


def _check(user: Any, warning: Warning, perm: str = "warnings.change_warning") -> None:
    require(user, perm)
    require_in_scope(user, warning)


@transaction.atomic
def review(user: Any, warning: Warning, decision: str, reason: str = "") -> Warning:
    """``decision``: "confirm" or "dismiss" (a dismissal needs a reason and counts as a false alarm)."""
    _check(user, warning)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != Status.NEW:
        raise ValidationError(f"预警当前状态为“{warning.get_status_display()}”，不能再研判")
    now = timezone.now()
    warning.reviewed_by, warning.reviewed_at, warning.review_reason = user, now, reason.strip()
    if decision == "confirm":
        warning.status = Status.CONFIRMED
    elif decision == "dismiss":
        if not reason.strip():
            raise ValidationError("排除预警必须填写原因")
        warning.status, warning.outcome, warning.closed_at = Status.DISMISSED, Outcome.FALSE_ALARM, now
    else:
        raise ValidationError("研判结论应为 confirm 或 dismiss")
    warning.save()
    return warning


def bulk_review(user: Any, warnings: list[Warning], decision: str, reason: str = "") -> tuple[int, list[str]]:
    """Review many at once: one audit event for the whole review (a summary naming the warnings)."""
    done: list[Warning] = []
    errors = []
    with key_operation() as op:
        for w in warnings:
            try:
                review(user, w, decision, reason)
                done.append(w)
            except (ValidationError, PermissionDenied) as exc:
                errors.append(f"{w}：{error_text(exc)}")
        if done:
            summary = {"操作": "批量研判", "研判结论": DECISIONS[decision], "原因": reason.strip() or "—"}
            op.summarize(Warning, {**summary, "预警": [f"{w}（{w.pk}）" for w in sorted(done, key=lambda w: w.pk)]})
    return len(done), errors


DECISIONS = {"confirm": "确认", "dismiss": "排除"}


@transaction.atomic
def snooze(user: Any, warning: Warning, until: dt.datetime, reason: str) -> Warning:
    _check(user, warning)
    if not reason.strip():
        raise ValidationError("暂缓必须填写原因")
    if until <= timezone.now():
        raise ValidationError("暂缓期限应晚于当前时间")
    warning.snoozed_until, warning.snooze_reason = until, reason.strip()
    warning.save(update_fields=["snoozed_until", "snooze_reason"])
    return warning


@transaction.atomic
def suppress(user: Any, subject: Any, rule_key: str, until: dt.datetime, reason: str) -> Suppression:
    require(user, "warnings.add_suppression")
    if not reason.strip():
        raise ValidationError("屏蔽必须填写原因")
    s = Suppression(subject=subject, rule_key=rule_key, until=until, reason=reason.strip(), created_by=user)
    require_in_scope(user, s)
    s.save()
    return s


@transaction.atomic
def merge(user: Any, target: Warning, others: list[Warning]) -> Warning:
    """Fold related open warnings of the same subject into ``target`` (keeping the highest level)."""
    _check(user, target)
    for w in others:
        _check(user, w)
        if w.pk == target.pk:
            continue
        if w.subject_id != target.subject_id:
            raise ValidationError("只能合并同一主体的预警")
        if not w.is_open:
            raise ValidationError(f"预警“{w}”已关闭，不能合并")
        w.status, w.merged_into, w.closed_at = Status.MERGED, target, timezone.now()
        w.save()
        target.hit_count += w.hit_count
        if LEVEL_RANK[w.level] > LEVEL_RANK[target.level]:
            target.level = w.level
    target.save()
    return target


def mark_dispatched(warning: Warning) -> None:
    if warning.status in (Status.NEW, Status.CONFIRMED):
        warning.status = Status.DISPATCHED
        warning.save(update_fields=["status"])


def close(warning: Warning, outcome: str) -> None:
    """Called when the work order disposing of the warning closes; the outcome feeds rule precision."""
    if warning.status in OPEN_STATUSES:
        warning.status, warning.closed_at = Status.CLOSED, timezone.now()
        warning.outcome = outcome if outcome in Outcome.values else Outcome.CONFIRMED
        warning.save(update_fields=["status", "closed_at", "outcome"])
