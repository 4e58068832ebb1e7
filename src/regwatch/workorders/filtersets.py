"""Filter sets shared by the generic lists and the API of work orders, clues, ledgers and workflows."""

from __future__ import annotations

import django_filters

from regwatch.core.models import Organization
from regwatch.subjects.filtersets import RegionSubtreeFilter
from regwatch.web.filters import DateRangeFilter, SearchFilterSet, StrictBooleanFilter

from .models import Clue, Ledger, Source, WorkflowDefinition, WorkOrder


class WorkflowFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = WorkflowDefinition
        fields = ["code", "is_current"]


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("number", "title", "subject__name", "subject__uscc")
    workflow = django_filters.ModelChoiceFilter(queryset=WorkflowDefinition.objects.all(), label="流程")
    source = django_filters.ChoiceFilter(choices=Source.choices, label="来源")
    region = RegionSubtreeFilter()
    assignee_org = django_filters.ModelChoiceFilter(queryset=Organization.objects.all(), label="承办单位")
    open_only = StrictBooleanFilter(field_name="closed_at", lookup_expr="isnull", label="仅未办结")
    created_at = DateRangeFilter(label="创建时间（起止）")

    class Meta:
        model = WorkOrder
        fields = ["q", "workflow", "state", "source", "region", "assignee_org", "supervised", "open_only", "created_at"]


class ClueFilterSet(SearchFilterSet):
    search_fields = ("title", "content", "subject__name")
    status = django_filters.ChoiceFilter(choices=Clue.Status.choices, label="状态")
    region = RegionSubtreeFilter()
    created_at = DateRangeFilter(label="登记时间（起止）")

    class Meta:
        model = Clue
        fields = ["q", "status", "region", "source", "created_at"]


class LedgerFilterSet(SearchFilterSet):
    search_fields = ("name", "period")
    region = RegionSubtreeFilter()
    dispatched = StrictBooleanFilter(field_name="dispatched_at", lookup_expr="isnull", exclude=True, label="已派发")

    class Meta:
        model = Ledger
        fields = ["q", "period", "region", "dispatched"]
