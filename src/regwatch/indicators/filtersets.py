from __future__ import annotations

import django_filters

from regwatch.web.filters import SearchFilterSet

from .models import Indicator


class IndicatorFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "definition", "data_source")
    category = django_filters.CharFilter(label="指标分类")

    class Meta:
        model = Indicator
        fields = ["q", "category", "enabled", "pack"]
