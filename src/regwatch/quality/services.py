"""Measuring a batch against the quality rules of its dataset, and the scores and reports built on them.

Completeness, validity, consistency and accuracy rules count the intake rule failures they name
(``checks``) among the rows read; uniqueness counts stored records of the batch that repeat another
record of the same subject, type, date and content; timeliness counts records that arrived within
``max_days`` of when they happened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.intake.models import RecordLineage

from .labels import Names
from .models import Dimension, Measurement, QualityRule

KEY_FIELD_TARGET = 0.99


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _record_counts(batch: Any, rule: QualityRule) -> tuple[int, int]:
    records = RecordLineage.objects.filter(batch=batch).values(
        "record__subject_id", "record__occurred_on", "record__known_at", "record__summary"
    )
    total = records.count()
    if rule.dimension == Dimension.TIMELINESS:
        late = 0
        for r in records.iterator():
            if r["record__known_at"].date() - r["record__occurred_on"] > dt.timedelta(days=rule.max_days):
                late += 1
        return total, total - late
    groups = records.values("record__subject_id", "record__occurred_on", "record__summary").annotate(n=Count("id")).filter(n__gt=1)
    dupes = sum(g["n"] - 1 for g in groups)
    return total, total - dupes


def measure_batch(batch: Any) -> list[Measurement]:
    """Measure one finished batch; a failed blocking rule marks the batch's quality gate as blocked."""
    dataset = batch.mapping.target if batch.mapping_id else ""
    rules = QualityRule.objects.filter(enabled=True, dataset=dataset)
    out = []
    period = _month(timezone.localdate(batch.finished_at or timezone.now()))
    for rule in rules:
        if rule.dimension in (Dimension.UNIQUENESS, Dimension.TIMELINESS):
            total, passed = _record_counts(batch, rule)
        else:
            total = batch.rows_read
            failed_rows = sum(batch.rule_failures.get(key, 0) for key in rule.checks)
            passed = max(total - failed_rows, 0)
        value = passed / total if total else 1.0
        m, _ = Measurement.objects.update_or_create(
            rule=rule,
            batch=batch,
            defaults={
                "source": batch.source,
                "region": batch.region,
                "period": period,
                "total": total,
                "passed": passed,
                "value": value,
                "ok": rule.passes(value),
            },
        )
        out.append(m)
    return out


def gate(measurements: list[Measurement]) -> tuple[str, list[str]]:
    failed = [m for m in measurements if not m.ok]
    blocked = [m for m in failed if m.rule.action == QualityRule.Action.BLOCK]
    messages = [f"{m.rule.name}：{m.value:.2%}（阈值 {m.rule.get_operator_display()}{m.rule.threshold:.2%}）" for m in failed]
    return ("blocked" if blocked else "alert" if failed else "passed"), messages


def _ratio(qs: Any) -> float | None:
    agg = qs.aggregate(t=Sum("total"), p=Sum("passed"))
    return (agg["p"] or 0) / agg["t"] if agg["t"] else None


def _measurements(user: Any) -> Any:
    """Measurements ``user`` may see (a county sees its county's batches); all when no user is given (commands)."""
    qs = Measurement.objects.all()
    return qs if user is None else visible(qs, user)


def scores(period: dt.date | None = None, source: Any = None, user: Any = None) -> dict[str, Any]:
    """Pass rate in percent (0–100) per dataset, source and field (by their Chinese names), and the
    key-field pass rate (a ratio, with ``key_field_percent`` for display), for a month."""
    qs = _measurements(user).select_related("rule", "source")
    if period:
        qs = qs.filter(period=_month(period))
    if source is not None:
        qs = qs.filter(source=source)
    by: dict[str, dict[str, list[int]]] = {
        "dataset": defaultdict(lambda: [0, 0]),
        "source": defaultdict(lambda: [0, 0]),
        "field": defaultdict(lambda: [0, 0]),
    }
    names = Names()
    for m in qs.iterator():
        dataset, field = names.dataset(m.rule.dataset), names.dataset_field(m.rule.dataset, m.rule.field)
        for kind, key in (("dataset", dataset), ("source", m.source.name), ("field", field)):
            by[kind][key][0] += m.total
            by[kind][key][1] += m.passed
    result: dict[str, Any] = {
        k: sorted(((key, round(100 * p / t, 2) if t else 100.0) for key, (t, p) in v.items()), key=lambda kv: kv[1]) for k, v in by.items()
    }
    result["key_field_rate"] = _ratio(qs.filter(rule__key_field=True))
    result["key_field_target"] = KEY_FIELD_TARGET
    result["key_field_percent"] = _percent(result["key_field_rate"])
    result["key_field_target_percent"] = _percent(KEY_FIELD_TARGET)
    return result


def _percent(ratio: float | None, digits: int = 2) -> float | None:
    return None if ratio is None else round(100 * ratio, digits)


def monthly_report(source: Any, month: dt.date, months: int = 6, user: Any = None) -> dict[str, Any]:
    """Per-source monthly report: every rule's pass rate this month, the trend and the worst fields."""
    month = _month(month)
    periods = _months(month, months)
    qs = _measurements(user).filter(source=source)
    names = Names()
    rows = []
    for rule in QualityRule.objects.filter(pk__in=qs.values("rule")):
        trend = [_ratio(qs.filter(rule=rule, period=p)) for p in periods]
        current = trend[-1]
        rows.append(
            {
                "rule": rule,
                "dataset": names.dataset(rule.dataset),
                "field": names.field(rule.dataset, rule.field),
                "value": current,
                "percent": _percent(current),
                "threshold_percent": _percent(rule.threshold),
                "ok": current is None or rule.passes(current),
                "trend": trend,
                "trend_percent": [_percent(v, 1) for v in trend],
            }
        )
    rows.sort(key=lambda r: (r["value"] is None, r["value"] if r["value"] is not None else 1))
    this_month = qs.filter(period=month)
    return {
        "source": source,
        "month": month,
        "periods": periods,
        "rows": rows,
        "worst": [r for r in rows if r["value"] is not None][:5],
        "key_field_rate": _ratio(this_month.filter(rule__key_field=True)),
        "key_field_percent": _percent(_ratio(this_month.filter(rule__key_field=True))),
        "key_field_target": KEY_FIELD_TARGET,
        "batches": this_month.values("batch").distinct().count(),
        "failed": this_month.filter(~Q(ok=True)).count(),
    }


def _months(month: dt.date, months: int) -> list[dt.date]:
    """The ``months`` first days of month ending with ``month``, oldest first."""
    periods = []
    day = _month(month)
    for _ in range(months):
        periods.append(day)
        day = _month(day - dt.timedelta(days=1))
    periods.reverse()
    return periods


def trends(month: dt.date, months: int = 12, source: Any = None, user: Any = None) -> dict[str, Any]:
    """Monthly pass rate (percent) per source and per quality dimension, for the months up to ``month``.

    A month without measurements is ``None`` (a gap in the line, not a zero).
    """
    periods = _months(month, months)
    qs = _measurements(user).filter(period__gte=periods[0], period__lte=periods[-1])
    if source is not None:
        qs = qs.filter(source=source)
    labels = dict(Dimension.choices)

    order = {label: i for i, label in enumerate(labels.values())}

    def lines(key: str, name: Any) -> dict[str, list[float | None]]:
        sums: dict[str, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
        for row in qs.values(key, "period").annotate(t=Sum("total"), p=Sum("passed")).order_by():
            sums[name(row[key])][row["period"]] = (row["t"] or 0, row["p"] or 0)
        return {
            label: [_percent(by[p][1] / by[p][0], 1) if p in by and by[p][0] else None for p in periods]
            for label, by in sorted(sums.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        }

    return {
        "periods": periods,
        "by_source": lines("source__name", str),
        "by_dimension": lines("rule__dimension", lambda code: labels.get(code, code)),
    }
