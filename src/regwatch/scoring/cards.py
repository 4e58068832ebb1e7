"""What scoring adds to the landing page: the subjects per grade in the user's scope, the worst first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse

from regwatch.accounts.scope import visible
from regwatch.core.models import Region
from regwatch.subjects.models import Subject

from .listing import grade_value, level_counts, level_in_force, score_in
from .models import CurrentGrade
from .read import choose_scheme

TOP = 5


def risk_card(user: Any) -> dict[str, Any] | None:
    if not user.has_perm("subjects.view_subject"):
        return None
    scheme, _ = choose_scheme(visible(CurrentGrade.objects.all(), user), None)
    if scheme is None:
        return None
    subjects = visible(Subject.objects.all(), user)
    counts = level_counts(scheme, subjects)
    list_url = reverse("web:subjects_list")

    def url(code: str) -> str:
        return f"{list_url}?{urlencode({'grade': grade_value(scheme, code), 'sort': '-risk_score'})}"

    levels = [
        {
            "label": scheme.level_label(lv["code"]),
            "color": lv.get("color", "#999999"),
            "count": counts.get(lv["code"], 0),
            "url": url(lv["code"]),
        }
        for lv in reversed(scheme.levels)
    ]
    worst = next((lv for lv in reversed(scheme.levels) if counts.get(lv["code"])), None)
    top = []
    if worst is not None:
        rows: Any = (
            subjects.annotate(risk_level=level_in_force(scheme), risk_score=score_in(scheme))
            .filter(risk_level=worst["code"])
            .select_related("region")
            .order_by(F("risk_score").desc(nulls_last=True), "pk")[:TOP]
        )
        rows = list(rows)
        # A subject sits in a grid; the official knows it by its county (the path's third level).
        prefixes = {"/".join(s.region.path.split("/")[:4]) + "/" for s in rows}
        counties = dict(Region.objects.filter(path__in=prefixes).values_list("path", "name"))
        top = [
            {"subject": s, "score": s.risk_score, "county": counties.get("/".join(s.region.path.split("/")[:4]) + "/", "")} for s in rows
        ]
    return {
        "scheme": scheme,
        "levels": levels,
        "total": sum(counts.values()),
        "worst": scheme.level_label(worst["code"]) if worst else "",
        "worst_url": url(worst["code"]) if worst else list_url,
        "worst_count": counts.get(worst["code"], 0) if worst else 0,
        "top": top,
    }
