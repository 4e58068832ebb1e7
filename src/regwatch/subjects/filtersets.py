from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from regwatch.core.models import Region
from regwatch.web.filters import DateRangeFilter, SearchFilterSet

from .models import Record, RecordType, Subject, SubjectKind, SubjectStatus, SubjectTag, Tag


def _subtree(queryset: QuerySet[Any], field: str, region: Region | None) -> QuerySet[Any]:
    return queryset.filter(**{f"{field}__path__startswith": region.path}) if region else queryset


@extend_schema_field(OpenApiTypes.INT)
class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """Pick a region; rows anywhere below it match."""

    def __init__(self, *args: Any, region_field: str = "region", **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Region.objects.exclude(level__in=["village", "grid"]))
        kwargs.setdefault("label", "所属区划")
        super().__init__(*args, **kwargs)
        self.region_field = region_field

    def filter(self, qs: QuerySet[Any], value: Region | None) -> QuerySet[Any]:
        return _subtree(qs, self.region_field, value)


class SubjectFilterSet(SearchFilterSet):
    search_fields = ("name", "uscc", "legal_representative", "identifiers__value")
    kind = django_filters.ModelChoiceFilter(queryset=SubjectKind.objects.all(), label="主体类型")
    status = django_filters.ChoiceFilter(choices=SubjectStatus.choices, label="经营状态")
    region = RegionSubtreeFilter()
    industry_code = django_filters.CharFilter(lookup_expr="startswith", label="行业代码")
    tag = django_filters.ModelChoiceFilter(queryset=Tag.objects.all(), field_name="tags__tag", label="标签", distinct=True)

    class Meta:
        model = Subject
        fields = ["q", "kind", "status", "region", "industry_code", "tag", "pack"]


class RecordFilterSet(SearchFilterSet):
    search_fields = ("summary", "source_ref", "subject__name", "subject__uscc")
    record_type = django_filters.ModelChoiceFilter(queryset=RecordType.objects.all(), label="记录类型")
    occurred_on = DateRangeFilter(label="发生日期（起止）")
    region = RegionSubtreeFilter(region_field="subject__region")
    subject = django_filters.NumberFilter(field_name="subject_id", label="主体ID")

    class Meta:
        model = Record
        fields = ["q", "record_type", "occurred_on", "region", "source", "subject"]


class SubjectKindFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = SubjectKind
        fields = ["q", "pack"]


class RecordTypeFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "category")

    class Meta:
        model = RecordType
        fields = ["q", "pack", "category"]


class TagFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Tag
        fields = ["q", "category", "pack"]


class SubjectTagFilterSet(SearchFilterSet):
    search_fields = ("subject__name", "subject__uscc")
    tag = django_filters.ModelChoiceFilter(queryset=Tag.objects.all(), label="标签")

    class Meta:
        model = SubjectTag
        fields = ["q", "tag", "source"]
