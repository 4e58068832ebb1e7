from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from regwatch.accounts.scope import region_filter
from regwatch.core.dictionaries import industry_tree
from regwatch.core.models import Region
from regwatch.web.filters import BoundedModelChoiceField, DateRangeFilter, SearchFilterSet

from .models import Record, RecordType, Subject, SubjectKind, SubjectStatus, SubjectTag, Tag


def _subtree(queryset: QuerySet[Any], field: str, region: Region | None) -> QuerySet[Any]:
    return queryset.filter(**{f"{field}__path__startswith": region.path}) if region else queryset


def scoped_regions(request: Any) -> QuerySet[Region]:
    """The regions a user may pick: those in their data scope, down to townships, in tree order."""
    qs = Region.objects.exclude(level__in=["village", "grid"]).order_by("path")
    user = getattr(request, "user", None)
    if user is None:
        return qs  # the API schema, built without a request
    rq = region_filter(user)
    return qs if rq is None else qs.filter(rq)


class RegionTreeField(BoundedModelChoiceField):
    """A region dropdown drawn as a tree: each region indented under its parent, by name."""

    top: int | None = None

    def label_from_instance(self, obj: Any) -> str:
        # Paths are "/330000/330100/330106/"; in path order the first region offered is the top of
        # the user's scope, and the others are indented by their depth below it.
        depth = obj.path.count("/")
        if self.top is None:
            self.top = depth
        return "\u3000" * max(depth - self.top, 0) + obj.name


@extend_schema_field(OpenApiTypes.INT)
class RegionSubtreeFilter(django_filters.ModelChoiceFilter):
    """Pick a region from the tree of the user's data scope; rows anywhere below it match."""

    field_class = RegionTreeField

    def __init__(self, *args: Any, region_field: str = "region", **kwargs: Any) -> None:
        kwargs.setdefault("queryset", scoped_regions)
        kwargs.setdefault("label", "所属区划")
        kwargs.setdefault("empty_label", "全部")
        super().__init__(*args, **kwargs)
        self.region_field = region_field

    def filter(self, qs: QuerySet[Any], value: Region | None) -> QuerySet[Any]:
        return _subtree(qs, self.region_field, value)


class SubjectFilterSet(SearchFilterSet):
    search_fields = ("name", "uscc", "legal_representative", "identifiers__value")
    kind = django_filters.ModelChoiceFilter(queryset=SubjectKind.objects.all(), label="主体类型", empty_label="全部")
    status = django_filters.ChoiceFilter(choices=SubjectStatus.choices, label="经营状态", empty_label="全部")
    region = RegionSubtreeFilter()
    industry_code = django_filters.ChoiceFilter(choices=industry_tree, lookup_expr="startswith", label="所属行业", empty_label="全部")
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(), field_name="tags__tag", label="标签", distinct=True, empty_label="全部"
    )

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
