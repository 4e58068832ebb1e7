"""Context for the subject panel and the generic detail pages of versions, runs and indicators."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from typing import Any

from django.db.models import Count
from django.db.models.fields.json import KT
from django.utils import timezone

from regwatch.accounts.scope import visible
from regwatch.web.charts import chart, series

from .models import CurrentGrade, GradeChange, ModelVersion, Score, ScoringRun

ACTIONS = {
    ModelVersion.Status.DRAFT: [("validate", "校验")],
    ModelVersion.Status.VALIDATED: [("validate", "重新校验"), ("dry_run", "试算")],
    ModelVersion.Status.DRY_RUN: [("dry_run", "重新试算"), ("publish", "审核发布（须非编制人）")],
    ModelVersion.Status.PUBLISHED: [("restore", "复制为新草稿")],
    ModelVersion.Status.RETIRED: [("restore", "恢复为新草稿")],
}


def grade_panel(subject: Any, user: Any, scheme: str | None = None) -> dict[str, Any] | None:
    """The grade panel of the subject page, for one grade scheme (``scheme``, else the subject's first)."""
    if not user.has_perm("scoring.view_currentgrade"):
        return None
    from .explain import current_explanation

    explanation = current_explanation(subject.pk, scheme)
    if explanation is None:
        return {"explanation": None, "history": None, "changes": [], "grade": None}
    code = explanation["scheme"]
    return {
        "explanation": explanation,
        "history": grade_history(subject, user, code),
        "changes": GradeChange.objects.filter(subject=subject, scheme__code=code).order_by("-created_at")[:10],
        "grade": CurrentGrade.objects.filter(subject=subject, scheme__code=code).first(),
    }


def grade_history(subject: Any, user: Any, scheme_code: str) -> dict[str, Any] | None:
    """The grade-history chart's data: one point per published run, and the grade bands behind them.

    Points are ordered by as-of date then run, and each names its run: two runs of the same day
    (a re-grade after new data) are two points, not one.  The bands are the levels' score intervals
    of the latest run's model version (or its scheme), the same thresholds that graded it.
    """
    scores = list(
        visible(Score.objects.filter(subject=subject, run__status=ScoringRun.Status.PUBLISHED, run__scheme__code=scheme_code), user)
        .select_related("run__version", "run__scheme")
        .order_by("run__as_of", "run_id")
    )
    if not scores:
        return None
    latest = scores[-1].run
    levels = latest.version.levels or latest.scheme.levels
    names = {lv["code"]: lv.get("name", "") for lv in levels}
    return {
        "points": [
            {
                "run": sc.run_id,
                "as_of": sc.run.as_of.isoformat(),
                "published_at": timezone.localtime(sc.run.published_at).strftime("%Y-%m-%d %H:%M") if sc.run.published_at else "",
                "score": sc.score,
                "level": sc.level,
                "level_name": names.get(sc.level, ""),
            }
            for sc in scores
        ],
        "bands": [
            {"code": lv["code"], "name": lv.get("name", ""), "color": lv.get("color", "#999999"), "min": lv["min"], "max": lv["max"]}
            for lv in levels
        ],
    }


def level_counts(scores: Any) -> dict[str, int]:
    return dict(scores.values_list("level").annotate(n=Count("pk")).order_by())


def migration_matrix(run_id: int, scheme: Any, codes: list[str], user: Any) -> list[tuple[str, list[int]]]:
    """Rows: the grade in force ("-" for none); columns: the run's grade; only subjects ``user`` may see."""
    scores = visible(Score.objects.filter(run_id=run_id), user)
    current = dict(visible(CurrentGrade.objects.filter(scheme=scheme), user).values_list("subject_id", "level"))
    matrix = {a: dict.fromkeys(codes, 0) for a in ["-", *codes]}
    for subject_id, level in scores.values_list("subject_id", "level"):
        row = matrix.setdefault(current.get(subject_id, "-"), dict.fromkeys(codes, 0))
        row[level] = row.get(level, 0) + 1
    return [(k, list(row.values())) for k, row in matrix.items()]


def version_context(version: ModelVersion, user: Any) -> dict[str, Any]:
    levels = version.levels or version.model.scheme.levels
    codes = [lv["code"] for lv in levels]
    run_id = version.dry_run.get("run")
    migration = migration_matrix(run_id, version.model.scheme, codes, user) if run_id else []
    counts = level_counts(visible(Score.objects.filter(run_id=run_id), user)) if run_id else {}
    return {
        "actions": ACTIONS.get(version.status, []),  # type: ignore[call-overload]
        "others": version.model.versions.exclude(pk=version.pk).order_by("-number")[:5],
        "levels": levels,
        "migration": migration,
        "dry_distribution": [(c, counts.get(c, 0)) for c in codes],
    }


def run_context(run: ScoringRun, user: Any) -> dict[str, Any]:
    """The run's page counts only the scores this user may see (a county sees its county)."""
    scores = visible(Score.objects.filter(run=run), user)
    counts = level_counts(scores)
    return {
        "job": run.job,
        "top": scores.select_related("subject").order_by("-score", "subject_id")[:100],
        "distribution": [(run.scheme.level_label(lv["code"]), counts.get(lv["code"], 0)) for lv in run.scheme.levels],
        "seen": sum(counts.values()),
    }


def indicator_distribution(indicator: Any, user: Any) -> dict[str, Any]:
    """How the latest published full run's values of ``indicator`` are spread over the subjects the
    user may see: up to twelve distinct values each get a bar, more are cut into ten bins of about
    equal counts.  A ratio (unit 比例) is shown in percent.  Scores are business data: nothing for a
    reader of the indicator alone (the system administrator, 三员分立)."""
    if not user.has_perm("scoring.view_score"):
        return {}
    run = (
        ScoringRun.objects.filter(version__model__pack=indicator.pack, status=ScoringRun.Status.PUBLISHED, mode=ScoringRun.Mode.FULL)
        .order_by("-published_at", "-pk")
        .first()
    )
    if run is None:
        return {}
    raw = visible(Score.objects.filter(run=run), user).values_list(KT(f"detail__v__{indicator.code}"), flat=True)
    values = [float(v) if v not in (None, "", "null") else None for v in raw]
    present = sorted(v for v in values if v is not None)
    ratio = indicator.unit == "比例"
    unit = "" if ratio else indicator.unit

    def shown(v: float) -> str:
        if ratio:
            return f"{v * 100:.1f}".rstrip("0").rstrip(".") + "%"
        return f"{v:,.2f}".rstrip("0").rstrip(".")

    bins: list[tuple[str, int]] = []
    if len(set(present)) <= 12:
        counts = Counter(present)
        bins = [(f"{shown(v)}{unit}".strip(), counts[v]) for v in sorted(counts)]
        ranges = False
    else:
        edges = sorted({present[int(len(present) * q / 10)] for q in range(10)} | {present[-1]})
        for lo, hi in itertools.pairwise(edges):
            last = hi == edges[-1]
            n = sum(1 for v in present if lo <= v < hi or (last and v == hi))
            bins.append((f"{shown(lo)}～{shown(hi)}", n))
        ranges = True
    missing = sum(1 for v in values if v is None)
    summary = {
        "count": len(present),
        "missing": missing,
        "min": shown(present[0]) if present else "—",
        "max": shown(present[-1]) if present else "—",
        "median": shown(statistics.median(present)) if present else "—",
        "mean": shown(statistics.fmean(present)) if present else "—",
        "unit": unit,
    }
    labels = [label for label, _ in bins] + (["无数据"] if missing else [])
    counts_ = [n for _, n in bins] + ([missing] if missing else [])
    data = [{"value": n, "itemStyle": {"color": "#adb5bd"}} if label == "无数据" else n for label, n in zip(labels, counts_, strict=True)]
    return {
        "run": run.pk,
        "as_of": run.as_of,
        "bins": list(zip(labels, counts_, strict=True)),
        "ranges": ranges,
        "summary": summary,
        "chart": chart("bar", labels, [series("主体数", data)], y_name="主体数"),
    }


def indicator_context(indicator: Any, user: Any) -> dict[str, Any]:
    """Added to the indicator page (indicators.objects.DETAIL_CONTEXT): how its values are spread."""
    return {"distribution": indicator_distribution(indicator, user)}
