"""The indicator library in the generic UI and API (reference data: not region-scoped)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from regwatch.web.readable import register_key_format, register_labels
from regwatch.web.registry import Column, ObjectType, register

from .filtersets import IndicatorFilterSet
from .models import Indicator

# Context that apps above us add to the indicator page (scoring: the distribution of current values).
DETAIL_CONTEXT: list[Callable[[Indicator, Any], dict[str, Any]]] = []


OPERATORS = {">=": "不小于", "<=": "不大于", "==": "等于", "!=": "不等于", ">": "大于", "<": "小于", "=": "等于", "/": "÷", "*": "×"}


def expression_text(text: object) -> str:
    """An indicator expression or floor condition in words: indicators by name, operators in Chinese.

    ``nullif(x, 0)`` (a guard against dividing by zero) reads as ``x``; any other function makes the
    whole expression read as a generic sentence, never as source text.
    """
    source = re.sub(r"nullif\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,\s*0\s*\)", r"\1", str(text))
    if re.search(r"[A-Za-z_]\w*\s*\(", source):
        return "按公式计算"
    names = dict(Indicator.objects.values_list("code", "name"))
    words = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: names.get(m.group(0), m.group(0)), source)
    return re.sub(r">=|<=|==|!=|[<>=/*]", lambda m: f" {OPERATORS[m.group(0)]} ", words).replace("  ", " ").strip()


# The calculation kinds of ``indicators.spec`` and the subject attributes they may read.
CALC_KINDS = {
    "count": "计数",
    "sum": "求和",
    "max": "最大值",
    "min": "最小值",
    "mean": "平均值",
    "distinct_count": "不同取值个数",
    "days_since_last": "距最近一次的天数",
    "trend_ratio": "趋势比（近期/前期）",
    "attribute": "主体属性",
    "tag": "主体标签",
    "expression": "由其他指标计算",
}
SUBJECT_ATTRIBUTES = {"industry_code": "行业代码", "established_years": "成立年限"}
register_labels(lambda: {**CALC_KINDS, **SUBJECT_ATTRIBUTES})
register_key_format("expr", expression_text)
register_key_format("when", expression_text)


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
