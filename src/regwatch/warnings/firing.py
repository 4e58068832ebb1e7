"""Firing warning rules: one open warning per subject and rule, cooldown, suppression.

``fire`` is the single way a warning enters the pool (rules and external pushes alike).
The pure evaluators (``evaluate_indicators``, ``matches``) take plain data so they can be
tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from regwatch.core.text import render_message

from .models import OPEN_STATUSES, Level, Status, Suppression, Warning, WarningRule


def matches(data: Mapping[str, Any], match: Mapping[str, Any]) -> bool:
    """A record's data matches when every key equals the value (or is one of a list of values)."""
    for key, want in match.items():
        have = data.get(key)
        if isinstance(want, list):
            if have not in want:
                return False
        elif have != want:
            return False
    return True


@dataclass(frozen=True)
class Hit:
    rule_code: str
    subject_id: int
    context: dict[str, Any]


def evaluate_indicators(
    rules: Iterable[tuple[str, Mapping[str, Any]]],
    current: Mapping[int, Mapping[str, float | None]],
    previous: Mapping[int, Mapping[str, float | None]] | None = None,
) -> list[Hit]:
    """Indicator rules over a whole run, set-wise.

    ``params``: ``indicator`` code, ``op`` one of ``above`` / ``below`` / ``rise_ratio``, and
    ``threshold``.  ``rise_ratio`` fires when value >= previous * (1 + threshold) and previous > 0.
    """
    hits: list[Hit] = []
    previous = previous or {}
    for code, params in rules:
        ind, op, threshold = params["indicator"], params.get("op", "above"), float(params["threshold"])
        for subject_id, values in current.items():
            value = values.get(ind)
            if value is None:
                continue
            ctx: dict[str, Any] = {"indicator": ind, "value": round(float(value), 4), "threshold": threshold}
            if (op == "above" and value > threshold) or (op == "below" and value < threshold):
                hits.append(Hit(code, subject_id, ctx))
            elif op == "rise_ratio":
                before = previous.get(subject_id, {}).get(ind)
                if before is not None and before > 0 and value >= before * (1 + threshold):
                    hits.append(Hit(code, subject_id, {**ctx, "previous": round(float(before), 4), "ratio": round(value / before - 1, 4)}))
    return hits


def suppressed(subject_id: int, rule_key: str, now: dt.datetime) -> bool:
    return Suppression.objects.filter(Q(rule_key="") | Q(rule_key=rule_key), subject_id=subject_id, until__gt=now).exists()


def in_cooldown(subject_id: int, rule_key: str, days: int, now: dt.datetime) -> bool:
    if days <= 0:
        return False
    return Warning.objects.filter(subject_id=subject_id, rule_key=rule_key, closed_at__gt=now - dt.timedelta(days=days)).exists()


def fire(
    subject: Any,
    *,
    rule: WarningRule | None = None,
    rule_key: str = "",
    level: str = "",
    title: str = "",
    message: str = "",
    context: Mapping[str, Any] | None = None,
    source: str = "rule",
    external_ref: str = "",
    now: dt.datetime | None = None,
) -> Warning | None:
    """Put a warning into the pool; returns the new warning, or ``None`` if it was deduplicated/suppressed."""
    now = now or timezone.now()
    context = dict(context or {})
    key = rule.code if rule is not None else rule_key
    if not key:
        raise ValueError("rule or rule_key required")
    if rule is not None:
        if not rule.enabled or not rule.applies_to(subject.kind.code):
            return None
        if in_cooldown(subject.pk, key, rule.cooldown_days, now):
            return None
        level = level or rule.level
        title = title or f"{rule.name}：{subject.name}"
        message = message or render_message(rule.message, {"subject": subject.name, "level": Level(level).label, **context})
    if suppressed(subject.pk, key, now):
        return None
    try:
        with transaction.atomic():
            return Warning.objects.create(
                subject=subject,
                rule=rule,
                rule_key=key,
                source=source,
                external_ref=external_ref,
                level=level or Level.YELLOW,
                title=title[:200],
                message=message,
                data=_jsonable(context),
                first_at=now,
                last_at=now,
            )
    except IntegrityError:
        # Another writer holds the open warning for this subject and rule: count the hit there.
        Warning.objects.filter(subject=subject, rule_key=key, status__in=OPEN_STATUSES).update(hit_count=F("hit_count") + 1, last_at=now)
        return None


def _jsonable(ctx: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, dt.date | dt.datetime) else v) for k, v in ctx.items()}


def open_warning(subject_id: int, rule_key: str) -> Warning | None:
    return Warning.objects.filter(subject_id=subject_id, rule_key=rule_key, status__in=OPEN_STATUSES).first()


__all__ = ["Hit", "Status", "evaluate_indicators", "fire", "matches"]
