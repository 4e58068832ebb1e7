"""Work-order screens beyond the generic list/detail: the queue, transitions, create, print, statistics."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.accounts.roles import role_label
from regwatch.accounts.scope import visible
from regwatch.audit.services import record_access
from regwatch.core.models import Organization, Region
from regwatch.core.text import error_text
from regwatch.packs.installed import dispatch_workflow
from regwatch.subjects.models import Subject
from regwatch.warnings import services as warning_services
from regwatch.web.forms import style_form
from regwatch.web.services import require
from regwatch.web.uploads import megabytes

from . import queue as q
from . import workflow
from .models import Comment, WorkflowDefinition, WorkOrder
from .queue import scoped
from .timeline import timeline


@login_required
@require_POST
def from_warning(request: HttpRequest, warning_pk: int) -> HttpResponse:
    """派单处置 on the warning page: a new order of the chosen workflow for the warning's subject."""
    w = get_object_or_404(warning_services.scoped(request.user), pk=warning_pk)
    try:
        pack = (w.rule.pack if w.rule else "") or w.subject.pack
        order = workflow.create_order(
            request.user,
            workflow=request.POST.get("workflow") or dispatch_workflow("warning", pack),
            title=w.title,
            description=w.message,
            region=w.subject.region,
            subject=w.subject,
            source="warning",
            warning=w,
        )
    except (workflow.TransitionRefused, PermissionDenied, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect("web:warnings_detail", w.pk)
    messages.success(request, f"已生成工单 {order.number}")
    return redirect("web:work-orders_detail", order.pk)


def warning_context(user: Any, warning: Any) -> dict[str, Any]:
    """What the warning page needs for its 派单处置 form (added through warnings.views.DETAIL_CONTEXT)."""
    pack = (warning.rule.pack if warning.rule else "") or warning.subject.pack
    try:
        declared = dispatch_workflow("warning", pack)
    except ValidationError:
        declared = ""
    # The pack's own workflows, the one it declares for warnings first (and preselected).
    workflows = sorted(WorkflowDefinition.objects.filter(is_current=True, pack=pack), key=lambda wf: (wf.code != declared, wf.code))
    return {"workflows": workflows, "can_dispatch": user.has_perm("workorders.add_workorder")}


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    tab = request.GET.get("tab", "mine")
    if tab not in q.TABS:
        tab = "mine"
    orders = list(q.queue(request.user, tab)[:200])
    return render(
        request,
        "workorders/queue.html",
        {"tab": tab, "tabs": q.TABS, "counts": q.counts(request.user), "orders": orders, "now": timezone.now()},
    )


@login_required
@require_POST
def next_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.change_workorder")
    order = q.lock_next(request.user, request.POST.get("tab", "mine"))
    if order is None:
        messages.info(request, "当前队列没有可领取的工单")
        return redirect("workorders:queue")
    messages.success(request, f"已领取工单 {order.number}，{q.LOCK_MINUTES} 分钟内他人不会领取")
    return redirect("web:work-orders_detail", order.pk)


def _action_forms(order: WorkOrder, user: Any) -> list[dict[str, Any]]:
    orgs = list(Organization.objects.select_related("region").order_by("path"))
    # Offer only the organisations the engine would accept for a hand-over (it checks again).
    local = orgs if workflow.may_cross_regions(user) else [o for o in orgs if workflow.covers(o, order)]
    shown = []
    for t in workflow.available(order, user):
        handover = {"assign", "add_co_org"} & set(t["effects"])
        fields = []
        for f in t["fields"]:
            options = [(o.pk, str(o)) for o in (local if handover else orgs)] if f["type"] == "org" else list(f.get("choices", {}).items())
            fields.append({**f, "options": options})
        shown.append({**t, "field_list": fields})
    return shown


def order_context(order: WorkOrder, user: Any) -> dict[str, Any]:
    """What the generic detail page of a work order adds: the timeline and the transition forms."""
    return {
        "order": order,
        "timeline": timeline(order),
        "actions": _action_forms(order, user),
        "can_comment": user.has_perm("workorders.add_comment"),
        "co_orgs": order.co_orgs.all(),
        "upload_limit": megabytes(settings.REGWATCH_UPLOAD_MAX_BYTES),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of an order's page: the generic detail at /work-orders/<pk>/ replaced it."""
    return redirect("web:work-orders_detail", pk)


@login_required
@require_POST
def transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(scoped(request.user), pk=pk)
    action = request.POST.get("action", "")
    t = workflow.transition_spec(order, action)
    fields = {f["name"]: request.POST.get(f["name"], "") for f in (t["fields"] if t else [])}
    try:
        step = workflow.transition(order, request.user, action, fields, request.FILES.getlist("files"), request.POST.get("comment", ""))
    except workflow.TransitionRefused as exc:
        messages.error(request, f"操作未执行：{exc.message}")
    else:
        messages.success(request, f"已{step.action_name}")
    return redirect("web:work-orders_detail", order.pk)


@login_required
@require_POST
def comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.add_comment")
    order = get_object_or_404(scoped(request.user), pk=pk)
    text = request.POST.get("text", "").strip()
    if text:
        Comment.objects.create(order=order, author_id=request.user.pk, text=text)
    return redirect("web:work-orders_detail", order.pk)


class NewOrderForm(forms.Form):
    workflow = forms.ModelChoiceField(WorkflowDefinition.objects.filter(is_current=True), label="工单类型", to_field_name="code")
    title = forms.CharField(label="标题", max_length=200)
    description = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    region = forms.ModelChoiceField(Region.objects.filter(level__in=["city", "county", "township"]), label="所属区划")
    subject_id = forms.IntegerField(label="主体ID（可选）", required=False)
    external_ref = forms.CharField(label="外部事件编号（可选）", required=False, max_length=128)


@login_required
def new_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.add_workorder")
    form = NewOrderForm(request.POST or None)
    form.fields["region"].queryset = visible(form.fields["region"].queryset, request.user)  # type: ignore[attr-defined]
    style_form(form)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        subject = visible(Subject.objects.all(), request.user).filter(pk=cd["subject_id"]).first() if cd["subject_id"] else None
        try:
            order = workflow.create_order(
                request.user,
                workflow=cd["workflow"].code,
                title=cd["title"],
                description=cd["description"],
                region=subject.region if subject else cd["region"],
                subject=subject,
                source="external" if cd["external_ref"] else "manual",
                external_ref=cd["external_ref"],
            )
        except (workflow.TransitionRefused, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
        else:
            return redirect("web:work-orders_detail", order.pk)
    return render(request, "workorders/new.html", {"form": form})


@login_required
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    order = get_object_or_404(scoped(request.user), pk=pk)

    record_access("workorder_print", str(order), order=order.number)
    return render(request, "workorders/print.html", {"order": order, "timeline": timeline(order), "now": timezone.now()})


@login_required
def pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    order = get_object_or_404(scoped(request.user), pk=pk)

    from .casefile import case_pdf

    record_access("workorder_pdf", str(order), order=order.number)
    response = HttpResponse(case_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


def timeliness(qs: Any) -> list[dict[str, Any]]:
    handling = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    rows = (
        qs.values("assignee_org__name")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
            on_time=Count("id", filter=Q(closed_at__isnull=False, was_overdue=False)),
            overdue_open=Count("id", filter=Q(closed_at__isnull=True, due_at__lt=timezone.now())),
            avg_handling=Avg(handling, filter=Q(closed_at__isnull=False)),
        )
        .order_by("assignee_org__name")
    )
    out = []
    for r in rows:
        avg = r["avg_handling"]
        out.append(
            {
                "org": r["assignee_org__name"] or "（未派发）",
                "total": r["total"],
                "closed": r["closed"],
                "on_time_rate": (r["on_time"] / r["closed"]) if r["closed"] else None,
                "overdue_open": r["overdue_open"],
                "avg_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
            }
        )
    return out


@login_required
def stats_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    return render(request, "workorders/stats.html", {"rows": timeliness(visible(WorkOrder.objects.all(), request.user))})


def workflow_context(definition: WorkflowDefinition, user: Any) -> dict[str, Any]:
    spec = definition.definition
    nodes = [{"name": s["code"], "label": s["name"], "initial": s["code"] == spec["initial"]} for s in spec["states"]]
    links = []
    for t in spec["transitions"]:
        for src in t["from"]:
            links.append({"source": src, "target": t["to"] or src, "label": t["name"]})
    names = {s["code"]: s["name"] for s in spec["states"]}
    actions = [
        {
            **t,
            "from_names": [names.get(c, c) for c in t["from"]],
            "to_name": names.get(t.get("to") or "", ""),
            "role_names": [role_label(r) for r in t.get("roles", [])],
        }
        for t in spec["transitions"]
    ]
    return {
        "graph": {"nodes": nodes, "links": links},
        "spec": spec,
        "actions": actions,
        "graph_json": json.dumps({"nodes": nodes, "links": links}, ensure_ascii=False),
    }
