"""评分解释: for one subject and run, every indicator's value, bin, points, contribution and reason."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from regwatch.intake.models import Source
from regwatch.subjects.models import Record

from . import describe
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


def _bin_label(item: dict[str, Any], value: float | None, unit: str) -> str:
    """Which rule applied to this value, in words (never the formula's text)."""
    bin_index = bin_of(item, value)
    if bin_index is None:
        return describe.rule(item, unit)
    if bin_index < 0:
        return "无数据"
    if bin_index == 0:
        return f"低于 {describe.amount(item['bins'][0]['from'], unit)}"
    return describe.bin_text(item["bins"][bin_index - 1], unit)


def _category(cat: dict[str, Any], detail: dict[str, Any], sub_score: float | None, names: dict[str, Any]) -> dict[str, Any]:
    """One category: its items, then how their points, the 0–100 cap and the weight make its share of the score."""
    items = []
    weight = float(cat["weight"])
    for item in cat["items"]:
        code = item["indicator"]
        value = detail["v"].get(code)
        points = float(detail["p"].get(code) or 0.0)
        ind = names.get(code, {})
        unit = ind.get("unit", "")
        ratio = unit in describe.RATIO_UNITS
        shown = describe.amount(value, unit) if ratio and value is not None else _fmt(value)
        what = (item.get("reason") or f"{ind.get('name', code)}{{value}}{'' if ratio else unit}").format(value=shown)
        items.append(
            {
                "indicator": code,
                "name": ind.get("name", code),
                "unit": unit,
                "value": value,
                "value_text": "—" if value is None else shown if ratio else f"{shown}{unit}",
                "bin": _bin_label(item, value, unit),
                "rule": describe.rule(item, unit),
                "points": points,
                "contribution": round(points * weight / 100.0, 2),
                "reason": f"{what}，{describe.points(round(points, 2))}" if points else f"{what}，不计分",
            }
        )
    raw = round(sum(i["points"] for i in items), 2)
    sub = float(sub_score) if sub_score is not None else min(max(raw, 0.0), 100.0)
    contribution = round(sub * weight / 100.0, 2)
    n = describe.number
    if raw > 100:
        capped = f"超过上限，按 {n(round(sub, 2))} 计"
    elif raw < 0:
        capped = f"低于 0，按 {n(round(sub, 2))} 计"
    else:
        capped = "上限 100"
    text = f"{cat['name']}：项目得分合计 {n(raw)}，{capped}，× 权重 {n(weight)}% = {n(contribution)}"
    return {
        "code": cat["code"],
        "name": cat["name"],
        "weight": weight,
        "points_total": raw,
        "cap": 100,
        "sub_score": sub,
        "contribution": contribution,
        "sum_text": text,
        "items": items,
    }


def source_freshness(subject_id: int, run: ScoringRun) -> list[dict[str, Any]]:
    """Every source the run read, by name, with when this subject's data from it was last known (None: none)."""
    rows = (
        Record.objects.filter(subject_id=subject_id, known_at__lt=run.known_cutoff, occurred_on__lte=run.as_of)
        .values("source")
        .annotate(latest=Max("known_at"))
    )
    latest = {r["source"]: r["latest"] for r in rows}
    codes = sorted(set(run.freshness or {}) | set(latest))
    names = dict(Source.objects.filter(code__in=codes).values_list("code", "name"))
    # A source not registered in intake (seeded or manual data) is named by its record types: this
    # subject's, else a sample of anyone's (LIMIT, so a big table is not scanned for a label).
    kinds: dict[str, set[str]] = {}
    unnamed = [c for c in codes if c not in names]
    for src, kind in Record.objects.filter(subject_id=subject_id, source__in=unnamed).values_list("source", "record_type__name").distinct():
        kinds.setdefault(src, set()).add(kind)
    for src in unnamed:
        if src not in kinds:
            kinds[src] = set(Record.objects.filter(source=src).order_by().values_list("record_type__name", flat=True)[:50])
    out = []
    for code in codes:
        at = latest.get(code)
        out.append(
            {
                "source": code,
                "name": names.get(code) or "、".join(sorted(kinds.get(code, ()))) or "其他数据来源",
                "latest": at.isoformat() if at else None,
                "text": f"最新获知 {at.date().isoformat()}" if at else "暂无该来源数据",
            }
        )
    return sorted(out, key=lambda r: r["name"])


def explanation(score: Score) -> dict[str, Any]:
    run: ScoringRun = score.run
    version = run.version
    card = version.spec
    names = {i["code"]: i for i in version.indicators}
    levels = {lv["code"]: lv for lv in (version.levels or run.scheme.levels)}
    detail = score.detail
    categories = [_category(cat, detail, score.sub_scores.get(cat["code"]), names) for cat in card["categories"]]
    total = round(sum(c["contribution"] for c in categories), 2)
    floors = [
        {"code": f["code"], "reason": f["reason"], "min_level": f["min_level"]}
        for f in card.get("floors", [])
        if f["code"] in detail.get("f", [])
    ]
    freshness = source_freshness(score.subject_id, run)
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
        "total": total,
        "total_text": "各分类得分合计 "
        + " + ".join(describe.number(c["contribution"]) for c in categories)
        + f" = {describe.number(total)}",
        "floors": floors,
        "freshness": freshness,
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
