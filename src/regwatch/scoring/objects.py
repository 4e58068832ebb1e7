"""Scoring in the generic UI/API: grade schemes, model versions and runs (configuration), and the
region-scoped per-subject results: scores of a run, grades in force, overrides.

Counts shown on a run's page (its distribution) are computed over the scores the user may see
(``panels.run_context``), never read from the run's stored whole-population summary.
"""

from __future__ import annotations

from typing import Any

import django_filters

from regwatch.subjects.models import RecordType
from regwatch.web.readable import register_key_format
from regwatch.web.registry import Column, Display, Link, ListExtension, ObjectType, extend_list, register, register_display, register_link

from . import listing
from .describe import formula
from .filtersets import (
    CurrentGradeFilterSet,
    GradeOverrideFilterSet,
    GradeSchemeFilterSet,
    ModelVersionFilterSet,
    ScoreFilterSet,
    ScoringRunFilterSet,
)
from .models import CurrentGrade, GradeOverride, GradeScheme, ModelVersion, Score, ScoringRun

ENGINES = {"duckdb": "DuckDB（单机）", "spark": "Spark（集群）"}
TRIGGERS = {
    "manual": "手动",
    "cli": "命令行",
    "publish": "发布后全量评分",
    "schedule": "定时任务",
    "bench": "性能测试",
    "test": "测试",
    "dry_run": "试算",
}


def engine_label(code: Any) -> Any:
    return ENGINES.get(str(code), code)


def trigger_label(code: Any) -> Any:
    """How a run started; ``event:<record type>`` is a regrade after new records of that type."""
    text = str(code)
    if text.startswith("event:"):
        kind = text.removeprefix("event:")
        name = RecordType.objects.filter(code=kind).values_list("name", flat=True).first()
        return f"数据更新（{name or '新增记录'}）"
    return TRIGGERS.get(text, code)


register_key_format("formula", lambda text: formula(str(text)))
register_display("engine", Display(engine_label, lambda: list(ENGINES.items())))
register_display("trigger", Display(trigger_label))


def version_detail(version: ModelVersion, user: Any) -> dict[str, Any]:
    from .panels import version_context

    return version_context(version, user)


def run_detail(run: ScoringRun, user: Any) -> dict[str, Any]:
    from .panels import run_context

    return run_context(run, user)


register(
    ObjectType(
        model=GradeScheme,
        slug="grade-schemes",
        menu="评分评级",
        menu_order=41,
        columns=[Column("code", link=True), Column("name"), Column("pack"), Column("updated_at"), Column("locally_modified")],
        filterset=GradeSchemeFilterSet,
        detail_fields=["code", "name", "pack", "levels", "updated_at"],
    )
)
register(
    ObjectType(
        model=ModelVersion,
        slug="model-versions",
        menu="评分评级",
        menu_order=42,
        columns=[
            Column("model__name", "评分模型", sort="model__code", link=True),
            Column("number"),
            Column("status"),
            Column("author__username", "编制人", sort="author__username"),
            Column("published_by__username", "发布人", sort="published_by__username"),
            Column("created_at"),
            Column("published_at"),
            Column("note"),
            Column("locally_modified"),
        ],
        filterset=ModelVersionFilterSet,
        select_related=("model", "author", "published_by"),
        detail_fields=[
            "model",
            "number",
            "status",
            "note",
            "author",
            "created_at",
            "validated_at",
            "published_by",
            "published_at",
            "retired_at",
        ],
        detail_template="scoring/version_detail.html",
        detail_context=version_detail,
    )
)
register(
    ObjectType(
        model=ScoringRun,
        slug="scoring-runs",
        menu="评分评级",
        menu_order=43,
        columns=[
            Column("id", "批次", link=True),
            Column("version__model__name", "评分模型", sort="version__model__code"),
            Column("version__number", "版本", sort="version__number"),
            Column("as_of"),
            Column("mode"),
            Column("engine"),
            Column("status"),
            Column("trigger"),
            Column("created_at"),
            Column("published_at"),
        ],
        filterset=ScoringRunFilterSet,
        select_related=("version__model",),
        detail_fields=[
            "version",
            "as_of",
            "known_cutoff",
            "mode",
            "engine",
            "status",
            "trigger",
            "error",
            "created_by",
            "created_at",
            "published_at",
        ],
        detail_template="scoring/run_detail.html",
        detail_context=run_detail,
    )
)
register(
    ObjectType(
        model=CurrentGrade,
        slug="current-grades",
        menu="评分评级",
        menu_order=44,
        columns=[
            Column("subject__name", "主体", sort="subject__name", link=True),
            Column("subject__region__full_name", "区划", sort="subject__region__path"),
            Column("scheme__name", "等级方案", sort="scheme__code"),
            Column("level_name", sort="level"),
            Column("score"),
            Column("as_of"),
        ],
        filterset=CurrentGradeFilterSet,
        select_related=("subject__region", "scheme", "run"),
        detail_fields=["subject", "scheme", "level_name", "score", "as_of", "run"],
        api_fields=["id", "subject", "scheme", "run", "score", "level", "as_of"],
    )
)
register(
    ObjectType(
        model=Score,
        slug="scores",
        menu="评分评级",
        menu_order=48,
        columns=[
            Column("subject__name", "主体", sort="subject__name", link=True),
            Column("subject__region__full_name", "区划", sort="subject__region__path"),
            Column("run_id", "批次", sort="run"),
            Column("run__as_of", "评分基准日", sort="run__as_of"),
            Column("level_name", sort="level"),
            Column("score"),
        ],
        filterset=ScoreFilterSet,
        select_related=("subject__region", "run__scheme"),
        detail_fields=["subject", "run", "level_name", "score", "score_level"],
        api_fields=["id", "run", "subject", "score", "level", "score_level", "sub_scores"],
    )
)
register(
    ObjectType(
        model=GradeOverride,
        slug="grade-overrides",
        menu="评分评级",
        menu_order=46,
        columns=[
            Column("subject__name", "主体", sort="subject__name", link=True),
            Column("subject__region__full_name", "区划", sort="subject__region__path"),
            Column("level_name", sort="level"),
            Column("reason"),
            Column("expires_on"),
            Column("status"),
            Column("proposed_by__username", "提出人", sort="proposed_by__username"),
            Column("approved_by__username", "审批人", sort="approved_by__username"),
            Column("created_at"),
        ],
        filterset=GradeOverrideFilterSet,
        select_related=("subject__region", "scheme", "proposed_by", "approved_by"),
        detail_fields=[
            "subject",
            "scheme",
            "level_name",
            "reason",
            "evidence",
            "expires_on",
            "status",
            "proposed_by",
            "approved_by",
            "created_at",
            "decided_at",
        ],
        detail_template="scoring/override_detail.html",
        api_fields=[
            "id",
            "subject",
            "scheme",
            "level",
            "reason",
            "evidence",
            "expires_on",
            "status",
            "proposed_by",
            "approved_by",
            "created_at",
            "decided_at",
        ],
    )
)
register_link(Link("评分评级", "等级分布", "scoring:distribution", "scoring.view_currentgrade", 44))

# The grade and score in the subject list, and its grade and scheme filters (subjects cannot name scoring).
extend_list(
    "subjects",
    ListExtension(
        columns=(
            Column("risk_label", "风险等级", sort="risk_rank", color="risk_color"),
            Column("risk_score", "综合风险分", sort="risk_score", show=listing.one_decimal),
        ),
        after="name",
        filters={
            "scheme": django_filters.ChoiceFilter(
                choices=listing.scheme_choices, method=listing.filter_scheme, label="等级方案", empty_label="全部"
            ),
            "grade": django_filters.ChoiceFilter(
                choices=listing.grade_choices, method=listing.filter_grade, label="风险等级", empty_label="全部"
            ),
        },
        annotate=listing.annotate,
        note=listing.note,
    ),
)
