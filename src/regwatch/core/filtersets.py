from __future__ import annotations

import django_filters

from regwatch.web.filters import SearchFilterSet

from .models import Dictionary, DictionaryItem, Organization, Region, RegionLevel


class RegionFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "full_name")
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label="层级")
    parent = django_filters.CharFilter(field_name="parent__code", label="上级区划代码")

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]


class OrganizationFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, label="类型")
    region = django_filters.CharFilter(field_name="region__path", lookup_expr="contains", label="区划代码", method="in_region")

    def in_region(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(region__path__contains=f"/{value.strip()}/") if value.strip() else queryset

    class Meta:
        model = Organization
        fields = ["q", "kind", "region"]


class DictionaryFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Dictionary
        fields = ["q", "kind", "is_current"]


class DictionaryItemFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    dictionary = django_filters.CharFilter(field_name="dictionary__code", label="字典编码")

    class Meta:
        model = DictionaryItem
        fields = ["q", "dictionary", "enabled"]
