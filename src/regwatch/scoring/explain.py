"""评分解释: for one subject and run, every indicator's value, bin, points, contribution and reason."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from regwatch.subjects.models import Record

from .models import CurrentGrade, Score, ScoringRun
from .read import active_overrides, choose_scheme


def _fmt(value: float | None) -> str:
    if value is None:
        return "无"
    return f"{value:g}" if abs(value - round(value)) > 1e-9 else f"{round(value)}"


def bin_of(item: dict[str, Any], value: float | None) -> int | None:
    """The bin a value falls in: -1 missing, 0 below the first threshold, i for the i-th bin (1-based)."""
    if item.get("bins") is None:
        return None
    if value is None:
        return -1
    return sum(1 for b in item["bins"] if value >= b["from"])


def explanation(score: Score) -> dict[str, Any]:
    run: ScoringRun = score.run
    version = run.version
    card = version.spec
    names = {i["code"]: i for i in version.indicators}
    levels = {lv["code"]: lv for lv in (version.levels or run.scheme.levels)}
    detail = score.detail
    categories = []
    for cat in card["categories"]:
        items = []
        for item in cat["items"]:
            code = item["indicator"]
            value = detail["v"].get(code)
            points = detail["p"].get(code) or 0.0
            bin_index = bin_of(item, value)
            if bin_index is None:
                bin_label = f"公式 {item.get('formula')}" if item.get("formula") else ""
            elif bin_index < 0:
                bin_label = "无数据"
            elif bin_index == 0:
                bin_label = f"低于 {item['bins'][0]['from']:g}" if item.get("bins") else ""
            else:
                b = item["bins"][bin_index - 1]
                bin_label = b.get("label") or f"≥{b['from']:g}"
            contribution = round(points * cat["weight"] / 100.0, 2)
            ind = names.get(code, {})
            what = (item.get("reason") or f"{ind.get('name', code)}{{value}}{ind.get('unit', '')}").format(value=_fmt(value))
            items.append(
                {
                    "indicator": code,
                    "name": ind.get("name", code),
                    "unit": ind.get("unit", ""),
                    "value": value,
                    "bin": bin_label,
                    "points": points,
                    "contribution": contribution,
                    "reason": f"{what}，{contribution:+g}分" if points else f"{what}，不加分",
                }
            )
        categories.append(
            {
                "code": cat["code"],
                "name": cat["name"],
                "weight": cat["weight"],
                "sub_score": score.sub_scores.get(cat["code"]),
                "items": items,
            }
        )
    floors = [
        {"code": f["code"], "reason": f["reason"], "min_level": f["min_level"]}
        for f in card.get("floors", [])
        if f["code"] in detail.get("f", [])
    ]
    freshness = {
        row["source"]: row["latest"].isoformat()
        for row in Record.objects.filter(subject_id=score.subject_id, known_at__lt=run.known_cutoff, occurred_on__lte=run.as_of)
        .values("source")
        .annotate(latest=Max("known_at"))
        .order_by("source")
    }
    override = active_overrides([score.subject_id], run.scheme).get(score.subject_id)
    return {
        "subject": score.subject_id,
        "run": run.pk,
        "as_of": run.as_of.isoformat(),
        "known_cutoff": run.known_cutoff.isoformat(),
        "model": version.model.name,
        "model_version": version.number,
        "scheme": run.scheme.code,
        "scheme_name": run.scheme.name,
        "score": score.score,
        "score_level": score.score_level,
        "level": score.level,
        "level_name": levels.get(score.level, {}).get("name", ""),
        "color": levels.get(score.level, {}).get("color", "#999999"),
        "categories": categories,
        "floors": floors,
        "freshness": freshness,
        "source_freshness_run": run.freshness,
        "override": (
            {
                "level": override.level,
                "reason": override.reason,
                "expires_on": override.expires_on.isoformat(),
                "proposed_by": str(override.proposed_by),
                "approved_by": str(override.approved_by),
            }
            if override
            else None
        ),
    }


def current_explanation(subject_id: int, scheme: str | None = None) -> dict[str, Any] | None:
    """The explanation of the subject's grade in force in ``scheme`` (by default, or when it is not graded in
    that scheme: its first scheme by code), with ``schemes``: every scheme the subject is graded in."""
    grades = CurrentGrade.objects.filter(subject_id=subject_id)
    chosen, offered = choose_scheme(grades, scheme)
    grade = grades.filter(scheme=chosen).first() if chosen else None
    if grade is None:
        return None
    score = Score.objects.select_related("run__version__model", "run__scheme").filter(run_id=grade.run_id, subject_id=subject_id).first()
    if score is None:
        return None
    return {**explanation(score), "schemes": [{"code": s.code, "name": s.name} for s in offered]}
