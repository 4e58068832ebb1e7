from __future__ import annotations

import django_filters

from regwatch.subjects.filtersets import RegionSubtreeFilter
from regwatch.web.filters import DateRangeFilter, SearchFilterSet
from regwatch.web.registry import Column, Link, ObjectType, register, register_link

from .models import Dimension, Measurement, QualityRule


class QualityRuleFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "dataset", "field", "metric")
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label="质量维度")
    action = django_filters.ChoiceFilter(choices=QualityRule.Action.choices, label="处置")

    class Meta:
        model = QualityRule
        fields = ["q", "dataset", "dimension", "action", "key_field", "enabled"]


class MeasurementFilterSet(SearchFilterSet):
    search_fields = ("rule__name", "source__name")
    region = RegionSubtreeFilter()
    measured_at = DateRangeFilter(label="度量时间（起止）")

    class Meta:
        model = Measurement
        fields = ["q", "rule", "source", "batch", "ok", "region", "measured_at"]


register(
    ObjectType(
        model=QualityRule,
        slug="quality-rules",
        menu="数据归集",
        menu_order=45,
        columns=[
            Column("name", link=True),
            Column("dataset"),
            Column("field"),
            Column("dimension"),
            Column("operator"),
            Column("threshold"),
            Column("action"),
            Column("key_field"),
            Column("enabled"),
        ],
        filterset=QualityRuleFilterSet,
        detail_fields=[
            "code",
            "name",
            "dataset",
            "field",
            "dimension",
            "metric",
            "checks",
            "expected",
            "operator",
            "threshold",
            "max_days",
            "action",
            "key_field",
            "enabled",
        ],
        form_fields=[
            "name",
            "dataset",
            "field",
            "dimension",
            "metric",
            "checks",
            "expected",
            "operator",
            "threshold",
            "max_days",
            "action",
            "key_field",
            "enabled",
        ],
    )
)

register(
    ObjectType(
        model=Measurement,
        slug="quality-measurements",
        menu="数据归集",
        menu_order=46,
        columns=[
            Column("rule__name", "规则", sort="rule__code"),
            Column("source__name", "数据源", sort="source__code"),
            Column("batch_id", "批次", sort="batch"),
            Column("total"),
            Column("passed"),
            Column("value"),
            Column("ok"),
            Column("region__full_name", "所属区划", sort="region__path"),
            Column("measured_at"),
        ],
        filterset=MeasurementFilterSet,
        select_related=("rule", "source", "region"),
    )
)

register_link(Link("数据归集", "数据质量报告", "quality:report", "quality.view_measurement", 47))
