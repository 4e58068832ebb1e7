from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from regwatch.intake.models import Source
from regwatch.web.charts import chart, series
from regwatch.web.services import require

from .services import monthly_report, scores, trends


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """质量报告: scores per dataset/source/field for a month, and one source's monthly report with trend."""
    require(request.user, "quality.view_measurement")
    month_text = request.GET.get("month", "")
    try:
        month = dt.datetime.strptime(month_text, "%Y-%m").date() if month_text else timezone.localdate().replace(day=1)
    except ValueError:
        month = timezone.localdate().replace(day=1)
    sources = Source.objects.order_by("code")
    source = sources.filter(code=request.GET.get("source", "")).first()
    context = {"month": month, "months_to_pick": _pickable(month), "sources": sources, "source": source}
    context["scores"] = scores(month, user=request.user)
    if source is not None:
        context["report"] = monthly_report(source, month, user=request.user)
    trend = trends(month, source=source, user=request.user)
    months = [f"{p.year}年{p.month}月" for p in trend["periods"]]
    context["trend"] = trend
    context["months"] = months
    context["charts"] = {key: _rates(months, trend[key]) for key in ("by_source", "by_dimension")}
    return render(request, "quality/report.html", context)


def _rates(months: list[str], lines: dict[str, list[float | None]]) -> dict[str, Any]:
    """Pass rates (percent) as lines; the axis starts near the lowest rate, where the differences are."""
    return chart("line", months, [series(name, values) for name, values in lines.items()], percent=True, scale=True, y_name="通过率")


def _pickable(chosen: dt.date, count: int = 24) -> list[dt.date]:
    """The month picker's choices: the last ``count`` months, newest first, and the chosen one."""
    months, day = [], timezone.localdate().replace(day=1)
    for _ in range(count):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return months if chosen in months else [chosen, *months]
