"""Work orders, clues, ledgers and workflow definitions in the generic UI/API; menu links; the subject panel.

Lists, filters, search, export, detail with change history and scope come from the registry; the
detail templates add what is special: the order's timeline and transition forms, a clue's review,
a ledger's items and dispatch.  The personal queue (``views.queue_view``) and the timeliness
statistics stay bespoke.
"""

from __future__ import annotations

from typing import Any

from regwatch.accounts.scope import visible
from regwatch.subjects.panels import Panel, register_panel
from regwatch.warnings.models import OPEN_STATUSES, Warning
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, Link, ObjectType, register, register_link

from .clue_views import clue_context, ledger_context
from .filtersets import ClueFilterSet, LedgerFilterSet, WorkflowFilterSet, WorkOrderFilterSet
from .models import Clue, Ledger, WorkflowDefinition, WorkOrder
from .views import order_context, workflow_context

register(
    ObjectType(
        model=WorkflowDefinition,
        slug="workflows",
        menu="工单处置",
        menu_order=47,
        columns=[
            Column("code"),
            Column("name", link=True),
            Column("version"),
            Column("is_current"),
            Column("pack"),
            Column("created_at"),
            Column("locally_modified"),
        ],
        filterset=WorkflowFilterSet,
        detail_fields=["code", "name", "version", "is_current", "pack", "checksum", "created_at"],
        detail_template="workorders/workflow_detail.html",
        detail_context=workflow_context,
        api_fields=["id", "code", "version", "name", "definition", "is_current", "pack", "created_at"],
    )
)
register(
    ObjectType(
        model=WorkOrder,
        slug="work-orders",
        name="全部工单",
        menu="工单处置",
        menu_order=43,
        columns=[
            Column("number", link=True),
            Column("title"),
            Column("workflow__name", "工单类型", sort="workflow__code"),
            Column("state_name", "状态", sort="state"),
            Column("region__full_name", "区划", sort="region__path"),
            Column("assignee_org__name", "承办单位", sort="assignee_org__path"),
            Column("source"),
            Column("due_at"),
            Column("created_at"),
            Column("closed_at"),
        ],
        filterset=WorkOrderFilterSet,
        select_related=("workflow", "region", "assignee_org", "assignee_user", "subject", "warning", "clue"),
        detail_template="workorders/detail.html",
        detail_context=order_context,
        api_fields=[
            "id",
            "number",
            "title",
            "description",
            "workflow",
            "state",
            "region",
            "subject",
            "source",
            "warning",
            "clue",
            "external_ref",
            "assignee_org",
            "assignee_user",
            "due_at",
            "supervised",
            "satisfaction",
            "created_at",
            "closed_at",
            "archived_at",
        ],
        list_actions="workorders/_order_list_actions.html",
    )
)
register(
    ObjectType(
        model=Clue,
        slug="clues",
        menu="工单处置",
        menu_order=44,
        columns=[
            Column("title", link=True),
            Column("region__full_name", "区划", sort="region__path"),
            Column("subject__name", "主体", sort="subject__name"),
            Column("source"),
            Column("status"),
            Column("review_reason"),
            Column("created_at"),
        ],
        filterset=ClueFilterSet,
        select_related=("region", "subject", "reviewed_by"),
        form_fields=["title", "content", "region", "source"],
        detail_fields=["title", "content", "region", "subject", "source", "status", "review_reason", "reviewed_by", "created_at"],
        detail_template="workorders/clue_detail.html",
        detail_context=clue_context,
        api_fields=["id", "title", "content", "region", "subject", "source", "status", "review_reason", "reviewed_by", "created_at"],
        api_read_only=("status", "review_reason", "reviewed_by", "created_at"),
    )
)
register(
    ObjectType(
        model=Ledger,
        slug="ledgers",
        menu="工单处置",
        menu_order=45,
        columns=[
            Column("name", link=True),
            Column("period"),
            Column("region__full_name", "区划", sort="region__path"),
            Column("created_by__username", "创建人", sort="created_by__username"),
            Column("created_at"),
            Column("dispatched_at"),
        ],
        filterset=LedgerFilterSet,
        select_related=("region", "created_by", "previous"),
        detail_fields=["name", "period", "region", "previous", "created_by", "created_at", "dispatched_at"],
        detail_template="workorders/ledger.html",
        detail_context=ledger_context,
        list_actions="workorders/_ledger_list_actions.html",
    )
)


register_link(Link("工单处置", "工单队列", "workorders:queue", "workorders.view_workorder", 42))
register_link(Link("工单处置", "办理时效统计", "workorders:stats", "workorders.view_workorder", 46))


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


def workflow_labels() -> dict[str, str]:
    """States, actions, form fields and their choices of every current work-order type."""
    out: dict[str, str] = {}
    for definition in WorkflowDefinition.objects.filter(is_current=True).values_list("definition", flat=True):
        for state in definition.get("states", []):
            out[state["code"]] = state["name"]
        for t in definition.get("transitions", []):
            out[t["code"]] = t["name"]
            for f in t.get("fields", []):
                out[f["name"]] = f.get("label", f["name"])
                out.update({str(k): str(v) for k, v in (f.get("choices") or {}).items()})
    return out


register_labels(workflow_labels)
# The access events this app writes (audit.services.record_access), as the access log shows them.
register_labels(lambda: {"workorder_print": "打印案卷", "workorder_pdf": "下载案卷PDF", "attachment_download": "下载附件"})
