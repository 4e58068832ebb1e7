from __future__ import annotations

import django_filters

from regwatch.web.filters import SearchFilterSet

from .models import GradeScheme, ModelVersion, ScoringRun


class GradeSchemeFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = GradeScheme
        fields = ["q"]


class ModelVersionFilterSet(SearchFilterSet):
    search_fields = ("note", "model__name")
    status = django_filters.ChoiceFilter(choices=ModelVersion.Status.choices, label="状态")

    class Meta:
        model = ModelVersion
        fields = ["q", "status", "model"]


class ScoringRunFilterSet(SearchFilterSet):
    search_fields = ("trigger",)
    status = django_filters.ChoiceFilter(choices=ScoringRun.Status.choices, label="状态")
    mode = django_filters.ChoiceFilter(choices=ScoringRun.Mode.choices, label="方式")

    class Meta:
        model = ScoringRun
        fields = ["q", "status", "mode", "as_of"]
