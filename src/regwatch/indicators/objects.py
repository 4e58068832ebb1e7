"""The indicator library in the generic UI and API (reference data: not region-scoped)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regwatch.web.registry import Column, ObjectType, register

from .filtersets import IndicatorFilterSet
from .models import Indicator

# Context that apps above us add to the indicator page (scoring: the distribution of current values).
DETAIL_CONTEXT: list[Callable[[Indicator, Any], dict[str, Any]]] = []


def indicator_detail(indicator: Indicator, user: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"versions": indicator.versions.select_related("created_by")[:20]}
    for extra in DETAIL_CONTEXT:
        context.update(extra(indicator, user))
    return context


register(
    ObjectType(
        model=Indicator,
        slug="indicators",
        menu="评分评级",
        menu_order=40,
        columns=[
            Column("code", link=True),
            Column("name"),
            Column("category"),
            Column("unit"),
            Column("update_frequency"),
            Column("owner_department"),
            Column("enabled"),
            Column("version"),
            Column("locally_modified"),
        ],
        filterset=IndicatorFilterSet,
        detail_fields=[
            "pack",
            "category",
            "definition",
            "data_source",
            "calculation",
            "unit",
            "update_frequency",
            "owner_department",
            "subject_kinds",
            "industries",
            "enabled",
            "version",
            "updated_at",
        ],
        form_fields=[
            "name",
            "category",
            "definition",
            "data_source",
            "calculation",
            "unit",
            "update_frequency",
            "owner_department",
            "subject_kinds",
            "industries",
            "enabled",
        ],
        detail_template="indicators/indicator_detail.html",
        detail_context=indicator_detail,
    )
)
