from __future__ import annotations

import django_filters

from regwatch.subjects.filtersets import RegionSubtreeFilter
from regwatch.web.filters import SearchFilterSet

from .models import CurrentGrade, GradeOverride, GradeScheme, ModelVersion, Score, ScoringRun


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


class ScoreFilterSet(SearchFilterSet):
    search_fields = ("subject__name", "subject__uscc")
    region = RegionSubtreeFilter(region_field="subject__region")

    class Meta:
        model = Score
        fields = ["q", "run", "level", "region"]


class CurrentGradeFilterSet(SearchFilterSet):
    search_fields = ("subject__name", "subject__uscc")
    region = RegionSubtreeFilter(region_field="subject__region")

    class Meta:
        model = CurrentGrade
        fields = ["q", "scheme", "level", "region", "as_of"]


class GradeOverrideFilterSet(SearchFilterSet):
    search_fields = ("subject__name", "subject__uscc", "reason")
    status = django_filters.ChoiceFilter(choices=GradeOverride.Status.choices, label="状态")
    region = RegionSubtreeFilter(region_field="subject__region")

    class Meta:
        model = GradeOverride
        fields = ["q", "scheme", "status", "level", "region"]
