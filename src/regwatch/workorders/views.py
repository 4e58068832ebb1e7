"""Work-order screens beyond the generic list/detail: the queue, transitions, create, print, statistics."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.accounts.roles import role_label
from regwatch.accounts.scope import visible
from regwatch.audit.operations import key_operation
from regwatch.audit.services import record_access
from regwatch.core.models import Organization, Region
from regwatch.core.orgpicker import OrgChoiceField, OrgPicker, jurisdiction, pickable, picker
from regwatch.core.text import error_text
from regwatch.packs.installed import dispatch_workflow
from regwatch.subjects.models import Subject
from regwatch.warnings import services as warning_services
from regwatch.web.forms import style_form
from regwatch.web.registry import REGISTRY
from regwatch.web.services import require
from regwatch.web.uploads import download_response, megabytes
from regwatch.web.views import detail_page

from . import queue as q
from . import workflow
from .models import Attachment, Comment, WorkflowDefinition, WorkOrder
from .queue import scoped
from .timeline import timeline


def _posted_org(value: str) -> Organization | None:
    if not value:
        return None
    org = Organization.objects.select_related("region").filter(pk=int(value)).first() if value.isdecimal() else None
    if org is None:
        raise ValidationError("所选承办单位不存在")
    return org


@login_required
@require_POST
def from_warning(request: HttpRequest, warning_pk: int) -> HttpResponse:
    """派单处置 on the warning page: a new order of the chosen workflow, handed to the chosen organisation."""
    require(request.user, "workorders.add_workorder")
    w = get_object_or_404(warning_services.scoped(request.user), pk=warning_pk)
    try:
        pack = (w.rule.pack if w.rule else "") or w.subject.pack
        order = workflow.create_and_dispatch(
            request.user,
            workflow=request.POST.get("workflow") or dispatch_workflow("warning", pack),
            assignee_org=_posted_org(request.POST.get("assignee_org", "")),
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
    to = f"，已派发至{order.assignee_org}" if order.assignee_org_id else "，待派发"
    messages.success(request, f"已生成工单 {order.number}{to}")
    return redirect("web:work-orders_detail", order.pk)


def org_picker(user: Any, name: str, region: Any, *, label: str = "承办单位", selected: Any = None, errors: Any = ()) -> OrgPicker:
    """The organisations ``user`` may hand work of ``region`` to, the region's own one pre-selected."""
    orgs = workflow.dispatchable(user, region)
    return picker(name, orgs, selected=selected or jurisdiction(region, orgs), errors=errors, label=label)


def warning_context(user: Any, warning: Any) -> dict[str, Any]:
    """What the warning page needs for its 派单处置 form (added through warnings.views.DETAIL_CONTEXT)."""
    pack = (warning.rule.pack if warning.rule else "") or warning.subject.pack
    try:
        declared = dispatch_workflow("warning", pack)
    except ValidationError:
        declared = ""
    # The pack's own workflows, the one it declares for warnings first (and preselected).
    workflows = sorted(WorkflowDefinition.objects.filter(is_current=True, pack=pack), key=lambda wf: (wf.code != declared, wf.code))
    can_dispatch = user.has_perm("workorders.add_workorder")
    return {
        "workflows": workflows,
        "can_dispatch": can_dispatch,
        "org_picker": org_picker(user, "assignee_org", warning.subject.region) if can_dispatch and warning.is_open else None,
    }


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    tab = request.GET.get("tab", "mine")
    if tab not in q.TABS:
        tab = "mine"
    orders = list(q.queue(request.user, tab)[:200])
    now = timezone.now()
    steps = q.next_steps(orders, request.user)
    rows = [{"order": o, "steps": steps.get(o.pk, []), "left": time_left(o.due_at, now)} for o in orders]
    clues = list(q.clues_to_review(request.user)[:100]) if tab == "mine" else []
    return render(
        request,
        "workorders/queue.html",
        {"tab": tab, "tab_label": q.TABS[tab], "tabs": q.TABS, "counts": q.counts(request.user), "rows": rows, "clues": clues, "now": now},
    )


def time_left(due: Any, now: Any) -> str:
    """“剩余 2 天 3 小时” / “已超期 5 小时”, rounded to the hour, as a handler reads a deadline."""
    if due is None:
        return ""
    hours = int(abs((due - now).total_seconds()) // 3600)
    span = f"{hours // 24} 天 {hours % 24} 小时" if hours >= 24 else (f"{hours} 小时" if hours else "不足 1 小时")
    return f"已超期 {span}" if due < now else f"剩余 {span}"


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


def _action_forms(order: WorkOrder, user: Any, failed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The transition forms of the order's state; ``failed`` (action, values, errors) refills the one that was refused."""
    home = order.subject.region if order.subject is not None else order.region
    limited: list[Organization] | None = None
    everyone: list[Organization] | None = None
    shown = []
    for t in workflow.available(order, user):
        again = failed if failed and failed["action"] == t["code"] else None
        values, errors = (again["values"], again["errors"]) if again else ({}, {})
        fields = []
        for f in t["fields"]:
            entry = {**f, "value": values.get(f["name"], ""), "errors": errors.get(f["name"], [])}
            if f["type"] == "org":
                if {"assign", "add_co_org"} & set(t["effects"]):
                    # Hand-overs offer only what the engine accepts (it checks again whatever is posted);
                    # a first dispatch pre-selects the subject's own office.
                    limited = limited if limited is not None else workflow.dispatchable(user, order.region)
                    first = "assign" in t["effects"] and not order.assignee_org_id
                    preset = entry["value"] or (jurisdiction(home, limited) if first else None)
                    entry["picker"] = picker(f["name"], limited, selected=preset, errors=entry["errors"], label=f["label"])
                else:
                    everyone = everyone if everyone is not None else list(pickable(Organization.objects.all()))
                    entry["picker"] = picker(f["name"], everyone, selected=entry["value"], errors=entry["errors"], label=f["label"])
                entry["picker"].required = f["required"]
            elif f["type"] == "choice":
                entry["options"] = list(f.get("choices", {}).items())
            fields.append(entry)
        shown.append(
            {
                **t,
                "field_list": fields,
                "file_errors": errors.get("files", []),
                "comment": values.get("comment", ""),
                "form_error": again["message"] if again and not (set(errors) & ({f["name"] for f in t["fields"]} | {"files"})) else "",
                "refilled": bool(again),
            }
        )
    return shown


def order_context(order: WorkOrder, user: Any, failed: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the generic detail page of a work order adds: the timeline and the transition forms."""
    return {
        "order": order,
        "timeline": timeline(order),
        "actions": _action_forms(order, user, failed),
        "can_comment": user.has_perm("workorders.add_comment"),
        "co_orgs": order.co_orgs.all(),
        "upload_limit": megabytes(settings.REGWATCH_UPLOAD_MAX_BYTES),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of an order's page: the generic detail at /work-orders/<pk>/ replaced it."""
    require(request.user, "workorders.view_workorder")
    return redirect("web:work-orders_detail", pk)


@login_required
@require_POST
def transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.change_workorder")
    order = get_object_or_404(scoped(request.user), pk=pk)
    action = request.POST.get("action", "")
    t = workflow.transition_spec(order, action)
    fields = {f["name"]: request.POST.get(f["name"], "") for f in (t["fields"] if t else [])}
    comment = request.POST.get("comment", "")
    try:
        step = workflow.transition(order, request.user, action, fields, request.FILES.getlist("files"), comment)
    except workflow.TransitionRefused as exc:
        if exc.code in ("fields", "attachments", "region"):
            # The same page again, the refused form keeping what was typed and each error beside its field.
            failed = {"action": action, "values": {**fields, "comment": comment}, "errors": exc.errors, "message": exc.message}
            messages.error(request, f"操作未执行：{exc.message}")
            return detail_page(request, REGISTRY["work-orders"], order, order_context(order, request.user, failed))
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
        with key_operation() as op:
            op.about(Comment.objects.create(order=order, author_id=request.user.pk, text=text), created=True)
    return redirect("web:work-orders_detail", order.pk)


class NewOrderForm(forms.Form):
    workflow = forms.ModelChoiceField(
        WorkflowDefinition.objects.filter(is_current=True), label="工单类型", to_field_name="code", empty_label="请选择工单类型"
    )
    title = forms.CharField(label="标题", max_length=200)
    description = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    region = forms.ModelChoiceField(
        Region.objects.filter(level__in=["city", "county", "township"]), label="所属区划", empty_label="请选择区划"
    )
    subject = forms.CharField(
        label="监管主体（可选）",
        required=False,
        max_length=200,
        help_text="输入主体全称或统一社会信用代码，可从提示中选择；选定后工单区划取主体所在区划。",
        widget=forms.TextInput(attrs={"list": "subject-suggestions", "data-suggest": "/api/v1/subjects/", "autocomplete": "off"}),
    )
    external_ref = forms.CharField(label="外部事件编号（可选）", required=False, max_length=128)
    assignee_org = OrgChoiceField(
        label="承办单位（可选）",
        required=False,
        help_text="选择后工单直接派发至该单位；不选则进入“待派发”。须在工单所属区划内，除非您可跨区划派发。",
    )


USCC_IN_TEXT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


def find_subject(text: str, subjects: Any) -> tuple[Any, str]:
    """The one subject a typed 名称 or 统一社会信用代码 (or a suggestion "名称（代码）") names, or why not."""
    code = USCC_IN_TEXT.search(text.upper())
    found = list(subjects.filter(uscc=code.group(0))[:1] if code else subjects.filter(name=text.strip())[:2])
    if not found:
        return None, "未找到该主体，或该主体不在您的数据范围内"
    if len(found) > 1:
        return None, "有多个同名主体，请输入统一社会信用代码"
    return found[0], ""


@login_required
def new_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.add_workorder")
    form = NewOrderForm(request.POST or None)
    form.fields["region"].queryset = visible(form.fields["region"].queryset, request.user)  # type: ignore[attr-defined]
    # The organisations of the user's own region (all, with cross-region rights); the engine checks the order's region.
    org = getattr(request.user, "organization", None)
    reach = workflow.dispatchable(request.user, org.region) if org is not None else []
    form.fields["assignee_org"].set_orgs(Organization.objects.all() if workflow.may_cross_regions(request.user) else reach)  # type: ignore[attr-defined]
    style_form(form)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        subject, problem = find_subject(cd["subject"], visible(Subject.objects.all(), request.user)) if cd["subject"] else (None, "")
        if problem:
            form.add_error("subject", problem)
        else:
            try:
                order = workflow.create_and_dispatch(
                    request.user,
                    assignee_org=cd["assignee_org"],
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
def attachment_view(request: HttpRequest, pk: int) -> FileResponse:
    """Download one attachment of an order the user may see (404 outside their scope), logged."""
    require(request.user, "workorders.view_workorder")
    att = get_object_or_404(visible(Attachment.objects.select_related("order"), request.user), pk=pk)
    response = download_response(att.file, att.name)
    record_access("attachment_download", f"{att.order} · {att.name}", order=att.order.number, attachment=att.name, digest=att.digest)
    return response


@login_required
def pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.view_workorder")
    order = get_object_or_404(scoped(request.user), pk=pk)

    from .casefile import case_pdf

    record_access("workorder_pdf", str(order), order=order.number)

    def link(att: Attachment) -> str:
        return request.build_absolute_uri(reverse("workorders:attachment", args=[att.pk]))

    response = HttpResponse(case_pdf(order, link), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


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
