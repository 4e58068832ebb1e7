"""What a warning's page shows as its grounds: the subject's records the rule looked at, the facts
it compared (grade change, indicator value and threshold, list, deadline) and the subject's
current grade.

The records are found again from the rule's declaration and the context stored when it fired,
never from a copy: a record corrected since then is shown as it reads now.  Every query goes
through ``visible`` so a user sees only records in their scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.indicators import expr
from regwatch.indicators.models import Indicator
from regwatch.scoring.models import CurrentGrade, GradeScheme
from regwatch.subjects.display import labelled
from regwatch.subjects.models import Record, SubjectTag
from regwatch.web.masking import Masker

from .firing import matches
from .models import RuleKind, Warning

MAX_RECORDS = 50  # newest first; the subject page lists the rest
KEY_FIELDS = 4  # declared fields shown per record, in declared order


@dataclass
class Evidence:
    heading: str = "触发依据"
    records: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0  # records found before the page limit
    facts: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    searched: bool = False  # records were looked for (so "none found" is worth saying)


def evidence(w: Warning, user: Any) -> Evidence:
    rule, data = w.rule, w.data or {}
    if rule is None:  # pushed by another system (api.ExternalAlert): what it told us
        facts = [("推送系统", w.source), ("预警类型", _text(data.get("alert_type"))), ("外部编号", w.external_ref or "—")]
        return Evidence(heading="外部推送", facts=facts)
    p = rule.params or {}
    if rule.kind in (RuleKind.NEW_RECORD, RuleKind.OVERDUE):
        ev = _records(Record.objects.filter(pk=int(data.get("record_id") or 0), subject_id=w.subject_id), user, "触发预警的记录")
        if rule.kind == RuleKind.OVERDUE:
            ev.facts = [("整改期限", _text(data.get("deadline"))), ("已逾期", f"{data.get('overdue_days', '—')} 天")]
        return ev
    if rule.kind == RuleKind.RECORD_COUNT:
        days = int(data.get("days") or p.get("days", 90))
        end = timezone.localdate(w.last_at)
        start = end - dt.timedelta(days=days)
        qs = Record.objects.filter(subject_id=w.subject_id, record_type__code=p.get("record_type"))
        qs = qs.filter(occurred_on__gt=start, occurred_on__lte=end)
        ev = _records(qs, user, f"计入的记录（{start} 至 {end}）", p.get("match") or {})
        ev.facts = [("统计期间", f"近 {days} 天"), ("记录数", f"{data.get('count', ev.total)} 条（阈值 {p.get('count', 3)} 条）")]
        return ev
    if rule.kind == RuleKind.INDICATOR:
        return _indicator(w, user, data)
    if rule.kind in (RuleKind.GRADE_DROP, RuleKind.GRADE_CHANGE):
        return _grade(w, user, data)
    if rule.kind == RuleKind.LIST_HIT:
        tags = visible(SubjectTag.objects.filter(subject_id=w.subject_id, tag__code=p.get("tag")), user).select_related("tag")
        facts = [("名单", _text(data.get("list")))]
        for st in tags[:5]:
            facts.append(("列入时间", timezone.localtime(st.assigned_at).strftime("%Y-%m-%d %H:%M")))
            if st.expires_on:
                facts.append(("有效期至", str(st.expires_on)))
            if st.note:
                facts.append(("备注", st.note))
        return Evidence(heading="名单信息", facts=facts)
    return Evidence()


def _records(qs: QuerySet[Record], user: Any, heading: str, match: dict[str, Any] | None = None) -> Evidence:
    rows = visible(qs, user).select_related("record_type").order_by("-occurred_on", "-id")
    masker = Masker(user)
    if not match:
        return Evidence(heading=heading, records=[_row(r, masker) for r in rows[:MAX_RECORDS]], total=rows.count(), searched=True)
    found = [r for r in rows if matches(r.data, match)]
    return Evidence(heading=heading, records=[_row(r, masker) for r in found[:MAX_RECORDS]], total=len(found), searched=True)


def _row(r: Record, masker: Masker) -> dict[str, Any]:
    fields = labelled(r.record_type.fields, masker.data(r, "data", r.data))[:KEY_FIELDS]
    return {"pk": r.pk, "type": r.record_type.name, "date": r.occurred_on, "summary": r.summary, "fields": fields}


def _indicator(w: Warning, user: Any, data: dict[str, Any]) -> Evidence:
    """The indicator's value and threshold, and the records its calculation counts as of the run."""
    code = data.get("indicator", "")
    ind = Indicator.objects.filter(code=code, pack=w.subject.kind.pack).first() or Indicator.objects.filter(code=code).first()
    unit = ind.unit if ind else ""
    facts = [("指标", ind.name if ind else "—"), ("取值", _amount(data.get("value"), unit))]
    if "previous" in data:
        facts.append(("上期取值", _amount(data.get("previous"), unit)))
        facts.append(("阈值", f"较上期上升超过 {_percent(data.get('threshold'))}"))
    else:
        facts.append(("阈值", _amount(data.get("threshold"), unit)))
    run = _run(data.get("run_id"))
    as_of = run.as_of if run is not None else timezone.localdate(w.first_at)
    facts.append(("评分基准日", str(as_of)))
    calcs = _calcs(ind)
    if not calcs:
        return Evidence(heading="指标取值", facts=facts)
    types = sorted({t for c in calcs for t in c.get("record_types", [])})
    windows = [c.get("window") for c in calcs]
    qs = Record.objects.filter(subject_id=w.subject_id, record_type__code__in=types, occurred_on__lte=as_of)
    window = None if None in windows else max(int(x) for x in windows if x is not None)
    if window:
        qs = qs.filter(occurred_on__gt=as_of - dt.timedelta(days=window))
    span = f"{as_of - dt.timedelta(days=window)} 至 {as_of}" if window else f"截至 {as_of}"
    wheres = [c.get("where") or [] for c in calcs]
    # One aggregation with conditions: only the records it counts.  A derived indicator (a rate)
    # reads several aggregations, so every record of their types is part of its ground.
    where = wheres[0] if len(calcs) == 1 else []
    heading = f"计入指标的记录（{span}）"
    ev = _filtered(qs, user, heading, where) if where else _records(qs, user, heading)
    ev.facts = facts
    return ev


def _filtered(qs: QuerySet[Record], user: Any, heading: str, where: list[dict[str, Any]]) -> Evidence:
    rows = visible(qs, user).select_related("record_type").order_by("-occurred_on", "-id")
    found = [r for r in rows if all(_holds(r.data.get(c["field"]), c.get("op", "eq"), c.get("value")) for c in where)]
    return Evidence(heading=heading, records=[_row(r, Masker(user)) for r in found[:MAX_RECORDS]], total=len(found), searched=True)


def _holds(have: Any, op: str, want: Any) -> bool:
    if op == "is_null":
        return have in (None, "")
    if op == "not_null":
        return have not in (None, "")
    if op == "eq":
        return bool(have == want)
    if op == "ne":
        return bool(have != want)
    if op == "in":
        return have in want
    if op == "not_in":
        return have not in want
    try:
        a, b = float(have), float(want)
    except (TypeError, ValueError):
        return False
    return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}.get(op, False)


def _calcs(ind: Indicator | None, depth: int = 0) -> list[dict[str, Any]]:
    """The record aggregations behind an indicator (those of a derived one, one level down)."""
    if ind is None or depth > 2:
        return []
    calc = ind.calculation or {}
    if calc.get("record_types"):
        return [calc]
    if calc.get("kind") == "expression":
        out: list[dict[str, Any]] = []
        others = Indicator.objects.filter(pack=ind.pack).exclude(pk=ind.pk)
        for other in others.filter(code__in=expr.names(calc.get("expr", ""))):
            out += _calcs(other, depth + 1)
        return out
    return []


def _run(run_id: Any) -> Any:
    from regwatch.scoring.models import ScoringRun

    return ScoringRun.objects.filter(pk=run_id).first() if run_id else None


def _grade(w: Warning, user: Any, data: dict[str, Any]) -> Evidence:
    scheme = GradeScheme.objects.filter(code=data.get("scheme", "")).first()

    def level(code: Any) -> str:
        return scheme.level_label(code) if scheme is not None and code else _text(code)

    facts = []
    if scheme is not None:
        facts.append(("等级方案", scheme.name))
    facts.append(("等级变化", f"{level(data.get('old_level'))} → {level(data.get('new_level'))}"))
    if data.get("new_score") is not None:
        old = data.get("old_score")
        facts.append(("综合风险分", (f"{float(old):.1f} → " if old is not None else "") + f"{float(data['new_score']):.1f}"))
    if data.get("as_of"):
        facts.append(("评分基准日", _text(data["as_of"])))
    # The records learned in the 90 days before the change are what most often moved the grade.
    end = timezone.localdate(w.first_at)
    qs = Record.objects.filter(subject_id=w.subject_id, occurred_on__gt=end - dt.timedelta(days=90), occurred_on__lte=end)
    ev = _records(qs, user, f"等级变化前 90 天内的记录（{end - dt.timedelta(days=90)} 至 {end}）")
    ev.facts = facts
    ev.note = "等级由评分模型按全部指标计算，各项得分见评分解释。"
    return ev


def current_grades(w: Warning, user: Any) -> list[dict[str, Any]]:
    """The subject's grade in force in every scheme, with the scheme's colour for the badge."""
    if not user.has_perm("scoring.view_currentgrade"):
        return []
    grades = visible(CurrentGrade.objects.filter(subject_id=w.subject_id), user).select_related("scheme").order_by("scheme__code")
    return [
        {
            "scheme": g.scheme.name,
            "scheme_code": g.scheme.code,
            "level": g.level,
            "name": g.scheme.level(g.level).get("name", ""),
            "color": g.scheme.level(g.level).get("color", "#999999"),
            "score": g.score,
            "as_of": g.as_of,
        }
        for g in grades
    ]


def _amount(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "比例":
        return _percent(value)
    return f"{float(value):g} {unit}".strip()


def _percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    return str(value)


__all__ = ["Evidence", "current_grades", "evidence"]
