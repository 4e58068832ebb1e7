"""Work-order statistics (办理时效统计) for a date range: totals, breakdowns, weekly trend, Excel.

All figures come from the orders the user may see (``visible``), never from a stored summary.
新建 counts orders created in the range; 办结, 按时办结率 and 平均办理时长 count orders closed in
it; 超期 counts orders created in the range that are or were overdue.  Handling time is in
working days as deadlines count them: each working day after the day of creation up to the day
of closure (Asia/Shanghai, Chinese holidays and make-up days).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.web.charts import chart, series
from regwatch.web.export import table_xlsx
from regwatch.web.services import require

from .calendar import is_workday
from .models import WorkOrder

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 5
UNASSIGNED = "（未派发）"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(dt.datetime.combine(self.start, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min), tz),
        )

    @property
    def text(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def period_from(params: Any) -> tuple[Period, dict[str, str]]:
    """The range asked for (``from``/``to``, YYYY-MM-DD), else the last 30 days; errors by field."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    values: dict[str, dt.date | None] = {}
    for key in ("from", "to"):
        text = (params.get(key) or "").strip()
        try:
            values[key] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            values[key] = None
            errors[key] = "日期格式应为 年-月-日，如 2026-11-01"
    end = values["to"] or today
    start = values["from"] or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors["from"] = "开始日期不能晚于结束日期"
        start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if (end - start).days > MAX_DAYS:
        errors["from"] = "统计区间最长五年"
        start = end - dt.timedelta(days=MAX_DAYS)
    return Period(start, end), errors


@functools.lru_cache(maxsize=4096)
def _workday(day: dt.date) -> bool:
    return is_workday(day)


def working_days(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after the local day of ``start`` up to and including that of ``end``."""
    a, b = timezone.localdate(start), timezone.localdate(end)
    return sum(1 for n in range(1, (b - a).days + 1) if _workday(a + dt.timedelta(days=n)))


def _overdue(o: Any, now: dt.datetime) -> bool:
    return bool(o.was_overdue or (o.closed_at is None and o.due_at is not None and o.due_at < now))


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def statistics(user: Any, period: Period) -> dict[str, Any]:
    lo, hi = period.bounds
    now = timezone.now()
    orders = visible(WorkOrder.objects.all(), user).select_related("assignee_org", "workflow")
    created = list(orders.filter(created_at__gte=lo, created_at__lt=hi))
    closed = list(orders.filter(closed_at__gte=lo, closed_at__lt=hi))

    orgs: dict[str, dict[str, Any]] = defaultdict(lambda: {"created": 0, "closed": 0, "on_time": 0, "overdue": 0, "days": []})
    for o in created:
        row = orgs[o.assignee_org.name if o.assignee_org else UNASSIGNED]
        row["created"] += 1
        row["overdue"] += _overdue(o, now)
    for o in closed:
        row = orgs[o.assignee_org.name if o.assignee_org else UNASSIGNED]
        row["closed"] += 1
        row["on_time"] += not o.was_overdue
        row["days"].append(working_days(o.created_at, o.closed_at or now))
    by_org = [
        {
            "org": name,
            "created": r["created"],
            "closed": r["closed"],
            "overdue": r["overdue"],
            "on_time_rate": _rate(r["on_time"], r["closed"]),
            "avg_days": _average(r["days"]),
        }
        for name, r in sorted(orgs.items(), key=lambda kv: (kv[0] == UNASSIGNED, -kv[1]["created"], kv[0]))
    ]
    all_days = [d for r in orgs.values() for d in r["days"]]
    totals = {
        "created": len(created),
        "closed": len(closed),
        "overdue": sum(r["overdue"] for r in by_org),
        "on_time_rate": _rate(sum(r["on_time"] for r in orgs.values()), len(closed)),
        "avg_days": _average(all_days),
    }
    states = Counter(o.state_name for o in created)
    by_state = sorted(states.items(), key=lambda kv: -kv[1])
    weeks = _weeks(period)
    new_per_week = Counter(_monday(timezone.localdate(o.created_at)) for o in created)
    closed_per_week = Counter(_monday(timezone.localdate(o.closed_at)) for o in closed)
    trend = [(w, new_per_week.get(w, 0), closed_per_week.get(w, 0)) for w in weeks]
    return {
        "period": period,
        "totals": totals,
        "by_org": by_org,
        "by_state": by_state,
        "trend": [{"week": _week_label(w), "created": a, "closed": b} for w, a, b in trend],
        "charts": _charts(by_org, by_state, trend),
    }


def _charts(by_org: list[dict[str, Any]], by_state: list[tuple[str, int]], trend: list[tuple[dt.date, int, int]]) -> dict[str, Any]:
    orgs = [r["org"] for r in by_org]
    return {
        "by_org": chart(
            "bar",
            orgs,
            [
                series("新建", [r["created"] for r in by_org]),
                series("办结", [r["closed"] for r in by_org]),
                series("超期", [r["overdue"] for r in by_org], "#d63939"),
            ],
            y_name="件",
        ),
        "by_state": chart("pie", [name for name, _ in by_state], [series("工单数", [n for _, n in by_state])]),
        "trend": chart(
            "line",
            [_week_label(w) for w, _, _ in trend],
            [series("新建", [a for _, a, _ in trend]), series("办结", [b for _, _, b in trend])],
            y_name="件",
        ),
    }


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weeks(period: Period) -> list[dt.date]:
    out, day = [], _monday(period.start)
    while day <= period.end:
        out.append(day)
        day += dt.timedelta(days=7)
    return out


def _week_label(monday: dt.date) -> str:
    return f"{monday.month}月{monday.day}日起"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _number(value: float | None) -> Any:
    return "—" if value is None else value


@login_required
def stats_view(request: HttpRequest) -> HttpResponse | FileResponse:
    require(request.user, "workorders.view_workorder")
    period, errors = period_from(request.GET)
    context = statistics(request.user, period)
    if request.GET.get("export") == "xlsx" and not errors:
        return _export(context)
    context.update({"errors": errors, "typed": {k: request.GET.get(k, "") for k in ("from", "to")}})
    return render(request, "workorders/stats.html", context, status=400 if errors else 200)


def _org_row(r: dict[str, Any]) -> list[Any]:
    return [r["org"], r["created"], r["closed"], r["overdue"], _percent(r["on_time_rate"]), _number(r["avg_days"])]


def _export(ctx: dict[str, Any]) -> FileResponse:
    """The page's figures as a workbook: totals, by organisation, by status, by week."""
    t, period = ctx["totals"], ctx["period"]
    sheets = [
        (
            "汇总",
            ["统计区间", "新建工单", "办结工单", "超期工单", "按时办结率", "平均办理时长（工作日）"],
            [[period.text, t["created"], t["closed"], t["overdue"], _percent(t["on_time_rate"]), _number(t["avg_days"])]],
        ),
        (
            "按承办单位",
            ["承办单位", "新建工单", "办结工单", "超期工单", "按时办结率", "平均办理时长（工作日）"],
            [
                [r["org"], r["created"], r["closed"], r["overdue"], _percent(r["on_time_rate"]), _number(r["avg_days"])]
                for r in ctx["by_org"]
            ],
        ),
        ("按状态", ["当前状态", "工单数"], [list(kv) for kv in ctx["by_state"]]),
        ("按周", ["周（周一起）", "新建工单", "办结工单"], [[r["week"], r["created"], r["closed"]] for r in ctx["trend"]]),
    ]
    name = f"工单统计-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return table_xlsx(name, sheets, access=("export", "办理时效统计"), detail={"from": str(period.start), "to": str(period.end)})
