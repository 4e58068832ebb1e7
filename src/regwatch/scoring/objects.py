"""Scoring reference objects in the generic UI/API: grade schemes, model versions, runs.

Per-subject results (scores, grades in force, changes, overrides) are region-scoped and served by
the pages in ``views.py`` through ``accounts.scope.visible``.
"""

from __future__ import annotations

from typing import Any

from regwatch.web.registry import Column, Link, ObjectType, register, register_link

from .filtersets import GradeSchemeFilterSet, ModelVersionFilterSet, ScoringRunFilterSet
from .models import GradeScheme, ModelVersion, ScoringRun


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
        columns=[Column("code", link=True), Column("name"), Column("pack"), Column("updated_at")],
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
            Column("subject_count"),
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
            "subject_count",
            "distribution",
            "timings",
            "freshness",
            "error",
            "created_by",
            "created_at",
            "published_at",
        ],
        detail_template="scoring/run_detail.html",
        detail_context=run_detail,
    )
)
register_link(Link("评分评级", "等级分布", "scoring:distribution", "scoring.view_currentgrade", 44))
register_link(Link("评分评级", "等级调整审批", "scoring:overrides", "scoring.view_gradeoverride", 45))
