"""Evaluating the declared rules against what just happened (signals) or on a schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from regwatch.scoring import read
from regwatch.subjects.models import Record, Subject, SubjectTag

from .firing import evaluate_indicators, fire, matches
from .models import RuleKind, Warning, WarningRule


def _rules(kind: str) -> list[WarningRule]:
    return list(WarningRule.objects.filter(kind=kind, enabled=True))


def on_records_added(subject_ids: Iterable[int], record_type_codes: Iterable[str], now: dt.datetime | None = None) -> int:
    """New-record and record-count rules for the subjects that just received records of these types.

    Set-wise: one query per rule over all the batch's subjects (an intake batch may hold thousands).
    """
    now = now or timezone.now()
    codes = set(record_type_codes)
    ids = list(subject_ids)
    rules = [
        r
        for r in WarningRule.objects.filter(kind__in=[RuleKind.NEW_RECORD, RuleKind.RECORD_COUNT], enabled=True)
        if r.params.get("record_type") in codes
    ]
    if not rules or not ids:
        return 0
    subjects = Subject.objects.select_related("kind").in_bulk(ids)
    fired = 0
    for rule in rules:
        rtype, match = rule.params["record_type"], rule.params.get("match", {})
        records = Record.objects.filter(subject_id__in=ids, record_type__code=rtype).select_related("record_type").order_by("-id")
        if rule.kind == RuleKind.NEW_RECORD:
            # "New" = stored and learned of just now (a back-filled or generated history is not news).
            since = now - dt.timedelta(hours=int(rule.params.get("recent_hours", 24)))
            latest: dict[int, Record] = {}
            for r in records.filter(created_at__gte=since, known_at__gte=since):
                if r.subject_id not in latest and matches(r.data, match):
                    latest[r.subject_id] = r
            seen = set(Warning.objects.filter(rule_key=rule.code, subject_id__in=list(latest)).values_list("data__record_id", flat=True))
            for sid, hit in latest.items():
                subject = subjects.get(sid)
                if subject is None or hit.pk in seen or not rule.applies_to(subject.kind.code):
                    continue
                ctx: dict[str, Any] = {
                    "record_id": hit.pk,
                    "record_type": hit.record_type.name,
                    "occurred_on": hit.occurred_on,
                    "summary": hit.summary,
                }
                if fire(subject, rule=rule, context=ctx, now=now):
                    fired += 1
        else:
            days, need = int(rule.params.get("days", 90)), int(rule.params.get("count", 3))
            start = timezone.localdate(now) - dt.timedelta(days=days)
            counts: dict[int, int] = {}
            for sid, data in records.filter(occurred_on__gte=start).values_list("subject_id", "data"):
                if matches(data, match):
                    counts[sid] = counts.get(sid, 0) + 1
            for sid, count in counts.items():
                subject = subjects.get(sid)
                if subject is None or count < need or not rule.applies_to(subject.kind.code):
                    continue
                if fire(subject, rule=rule, context={"count": count, "days": days}, now=now):
                    fired += 1
    return fired


def on_grade_changed(subject_id: int, old_level: str | None, new_level: str, direction: str, scheme: str = "", **extra: Any) -> int:
    if old_level is None or direction == "same-level":
        return 0
    subject = Subject.objects.select_related("kind").filter(pk=subject_id).first()
    if subject is None:
        return 0
    fired = 0
    for rule in WarningRule.objects.filter(kind__in=[RuleKind.GRADE_DROP, RuleKind.GRADE_CHANGE], enabled=True):
        if rule.kind == RuleKind.GRADE_DROP and direction != "down":
            continue
        if rule.params.get("scheme") and rule.params["scheme"] != scheme:
            continue
        if rule.params.get("to_levels") and new_level not in rule.params["to_levels"]:
            continue
        ctx = {"old_level": old_level, "new_level": new_level, "direction": direction, "scheme": scheme}
        ctx.update({k: v for k, v in extra.items() if k in ("new_score", "old_score", "run_id", "as_of")})
        if fire(subject, rule=rule, context=ctx):
            fired += 1
    return fired


def on_run_published(run_id: int) -> int:
    """Indicator rules over the run's values (and the previous run's, for rises)."""
    rules = _rules(RuleKind.INDICATOR)
    if not rules:
        return 0

    current = read.indicator_values(run_id)
    prev_id = read.previous_run_id(run_id)
    previous = read.indicator_values(prev_id) if prev_id else {}
    hits = evaluate_indicators([(r.code, r.params) for r in rules], current, previous)
    by_code = {r.code: r for r in rules}
    subjects = Subject.objects.select_related("kind").in_bulk({h.subject_id for h in hits})
    fired = 0
    for h in hits:
        if h.subject_id in subjects and fire(subjects[h.subject_id], rule=by_code[h.rule_code], context={**h.context, "run_id": run_id}):
            fired += 1
    return fired


def check_list_hits(subject_ids: Iterable[int] | None = None) -> int:
    """List-hit rules: a subject carrying the rule's tag (e.g. serious_violation_list)."""
    fired = 0
    today = timezone.localdate()
    for rule in _rules(RuleKind.LIST_HIT):
        qs = SubjectTag.objects.filter(tag__code=rule.params["tag"]).exclude(expires_on__lt=today).select_related("subject__kind", "tag")
        if subject_ids is not None:
            qs = qs.filter(subject_id__in=list(subject_ids))
        for st in qs:
            if fire(st.subject, rule=rule, context={"list": st.tag.name}):
                fired += 1
    return fired


def check_overdue(today: dt.date | None = None) -> int:
    """Overdue rules: records with a deadline field passed and the done flag not set (repair, rectification)."""
    today = today or timezone.localdate()
    fired = 0
    for rule in _rules(RuleKind.OVERDUE):
        p = rule.params
        dfield, done = p.get("deadline_field", "deadline"), p.get("done_field", "completed")
        grace = int(p.get("grace_days", 0))
        recs = Record.objects.filter(record_type__code=p["record_type"]).select_related("subject__kind")
        for rec in recs.iterator(chunk_size=2000):
            deadline = rec.data.get(dfield)
            if not deadline or rec.data.get(done) or not matches(rec.data, p.get("match", {})):
                continue
            try:
                due = dt.date.fromisoformat(str(deadline)[:10])
            except ValueError:
                continue
            overdue = due + dt.timedelta(days=grace) < today
            if overdue and fire(rec.subject, rule=rule, context={"record_id": rec.pk, "deadline": due, "overdue_days": (today - due).days}):
                fired += 1
    return fired
