"""Workflow definitions (reference data) in the generic UI/API; menu links; the subject panel."""

from __future__ import annotations

from typing import Any

from regwatch.accounts.scope import visible
from regwatch.subjects.panels import Panel, register_panel
from regwatch.warnings.models import OPEN_STATUSES, Warning
from regwatch.web.filters import SearchFilterSet
from regwatch.web.registry import Column, Link, ObjectType, register, register_link

from .models import WorkflowDefinition, WorkOrder
from .views import workflow_context


class WorkflowFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = WorkflowDefinition
        fields = ["code", "is_current"]


register(
    ObjectType(
        model=WorkflowDefinition,
        slug="workflows",
        menu="工单处置",
        menu_order=46,
        columns=[Column("code"), Column("name", link=True), Column("version"), Column("is_current"), Column("pack"), Column("created_at")],
        filterset=WorkflowFilterSet,
        detail_fields=["code", "name", "version", "is_current", "pack", "checksum", "created_at"],
        detail_template="workorders/workflow_detail.html",
        detail_context=workflow_context,
        api_fields=["id", "code", "version", "name", "definition", "is_current", "pack", "created_at"],
    )
)
register_link(Link("工单处置", "工单队列", "workorders:queue", "workorders.view_workorder", 42))
register_link(Link("工单处置", "线索登记与审核", "workorders:clues", "workorders.view_clue", 43))
register_link(Link("工单处置", "线索核查台账", "workorders:ledgers", "workorders.view_ledger", 44))
register_link(Link("工单处置", "办理时效统计", "workorders:stats", "workorders.view_workorder", 45))


def subject_panel(subject: Any, user: Any) -> dict[str, Any] | None:
    warnings = (
        list(visible(Warning.objects.filter(subject=subject, status__in=OPEN_STATUSES), user)[:20])
        if user.has_perm("warnings.view_warning")
        else []
    )
    orders = (
        list(visible(WorkOrder.objects.filter(subject=subject, closed_at__isnull=True).select_related("workflow"), user)[:20])
        if user.has_perm("workorders.view_workorder")
        else []
    )
    return {"warnings": warnings, "orders": orders}


register_panel(Panel("open_orders", "在办预警与工单", "workorders/_subject_panel.html", context=subject_panel, order=30))
