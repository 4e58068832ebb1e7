from __future__ import annotations

import django_filters

from regwatch.subjects.filtersets import RegionSubtreeFilter
from regwatch.web.filters import DateRangeFilter, SearchFilterSet

from .models import Batch, FieldMapping, QuarantinedRow, Source


class SourceFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "owner", "system")
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices, label="接入方式")
    status = django_filters.ChoiceFilter(choices=Source.Status.choices, label="状态")
    health = django_filters.ChoiceFilter(choices=Source.Health.choices, label="健康状况")

    class Meta:
        model = Source
        fields = ["q", "kind", "status", "health"]


class FieldMappingFilterSet(SearchFilterSet):
    search_fields = ("target", "source__code", "source__name", "note")
    is_current = django_filters.BooleanFilter(label="当前版本")

    class Meta:
        model = FieldMapping
        fields = ["q", "source", "is_current"]


class BatchFilterSet(SearchFilterSet):
    search_fields = ("filename", "source__name", "source__code")
    status = django_filters.ChoiceFilter(choices=Batch.Status.choices, label="状态")
    region = RegionSubtreeFilter()
    started_at = DateRangeFilter(label="开始时间（起止）")

    class Meta:
        model = Batch
        fields = ["q", "source", "status", "region", "started_at"]


class QuarantinedRowFilterSet(SearchFilterSet):
    search_fields = ("sheet",)
    status = django_filters.ChoiceFilter(choices=QuarantinedRow.Status.choices, label="状态")
    batch = django_filters.NumberFilter(label="批次")
    region = RegionSubtreeFilter()
    created_at = DateRangeFilter(label="隔离时间（起止）")

    class Meta:
        model = QuarantinedRow
        fields = ["q", "batch", "status", "region", "created_at"]
