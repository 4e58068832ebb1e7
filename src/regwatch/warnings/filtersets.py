from __future__ import annotations

import django_filters

from regwatch.subjects.filtersets import RegionSubtreeFilter
from regwatch.web.filters import DateRangeFilter, SearchFilterSet, StrictBooleanFilter

from .models import OPEN_STATUSES, Level, Status, Warning, WarningRule


class WarningFilterSet(SearchFilterSet):
    search_fields = ("title", "subject__name", "subject__uscc")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="级别")
    rule = django_filters.ModelChoiceFilter(queryset=WarningRule.objects.all(), label="规则")
    source = django_filters.CharFilter(label="来源")
    region = RegionSubtreeFilter(region_field="subject__region")
    first_at = DateRangeFilter(label="首次触发")
    open_only = StrictBooleanFilter(method="filter_open", label="仅未关闭")

    class Meta:
        model = Warning
        fields = ["status", "level", "rule", "source", "region", "first_at", "open_only"]

    def filter_open(self, qs, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return qs
        return qs.filter(status__in=OPEN_STATUSES) if value else qs.exclude(status__in=OPEN_STATUSES)


class RuleFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = WarningRule
        fields = ["kind", "level", "enabled"]
