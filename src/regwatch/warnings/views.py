"""The alert pool (预警池): filters, bulk review, detail with review/snooze/suppress/merge/dispatch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.packs.installed import dispatch_workflow
from regwatch.web.forms import style_form
from regwatch.web.services import require

from . import services
from .filtersets import WarningFilterSet
from .models import OPEN_STATUSES, Warning


def scoped(user: Any) -> Any:
    return visible(Warning.objects.select_related("subject__region", "rule"), user)


def _pack(w: Warning) -> str:
    return (w.rule.pack if w.rule else "") or w.subject.pack


def _error(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
def pool(request: HttpRequest) -> HttpResponse:
    require(request.user, "warnings.view_warning")
    data = request.GET.copy()
    if not data:
        data["open_only"] = "true"
    fs = WarningFilterSet(data, queryset=scoped(request.user), request=request)
    style_form(fs.form)
    qs = fs.qs if fs.is_valid() else scoped(request.user).none()
    page = Paginator(qs.order_by("-first_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "warnings/pool.html", {"filterset": fs, "page": page, "query": query.urlencode(), "now": timezone.now()})


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    chosen = list(scoped(request.user).filter(pk__in=ids))
    if not chosen:
        messages.error(request, "请先勾选预警")
        return redirect("warnings:pool")
    done, errors = services.bulk_review(request.user, chosen, request.POST.get("decision", ""), request.POST.get("reason", ""))
    if done:
        messages.success(request, f"已研判 {done} 条预警")
    for e in errors[:10]:
        messages.error(request, e)
    return redirect(request.POST.get("next") or "warnings:pool")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "warnings.view_warning")
    w = get_object_or_404(scoped(request.user), pk=pk)
    related = scoped(request.user).filter(subject=w.subject, status__in=OPEN_STATUSES).exclude(pk=w.pk)
    from regwatch.workorders.models import WorkflowDefinition

    pack = _pack(w)
    try:
        declared = dispatch_workflow("warning", pack)
    except ValidationError:
        declared = ""
    # The pack's own workflows, the one it declares for warnings first (and preselected).
    workflows = sorted(WorkflowDefinition.objects.filter(is_current=True, pack=pack), key=lambda wf: (wf.code != declared, wf.code))
    return render(
        request,
        "warnings/detail.html",
        {
            "w": w,
            "related": related,
            "merged": w.merged.all(),
            "orders": visible(w.work_orders.all(), request.user),
            "workflows": workflows,
            "can_change": request.user.has_perm("warnings.change_warning"),
            "can_dispatch": request.user.has_perm("workorders.add_workorder"),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    w = get_object_or_404(scoped(request.user), pk=pk)
    p = request.POST
    try:
        if action == "review":
            services.review(request.user, w, p.get("decision", ""), p.get("reason", ""))
            messages.success(request, "研判结论已保存")
        elif action == "snooze":
            days = int(p.get("days") or 0)
            services.snooze(request.user, w, timezone.now() + dt.timedelta(days=days), p.get("reason", ""))
            messages.success(request, f"已暂缓 {days} 天")
        elif action == "suppress":
            days = int(p.get("days") or 0)
            services.suppress(request.user, w.subject, w.rule_key, timezone.now() + dt.timedelta(days=days), p.get("reason", ""))
            messages.success(request, f"已对该主体屏蔽此规则 {days} 天")
        elif action == "merge":
            others = list(scoped(request.user).filter(pk__in=[int(i) for i in p.getlist("ids") if i.isdigit()]))
            services.merge(request.user, w, others)
            messages.success(request, f"已合并 {len(others)} 条预警")
        elif action == "dispatch":
            from regwatch.workorders.workflow import create_order

            order = create_order(
                request.user,
                workflow=p.get("workflow") or dispatch_workflow("warning", _pack(w)),
                title=w.title,
                description=w.message,
                region=w.subject.region,
                subject=w.subject,
                source="warning",
                warning=w,
            )
            messages.success(request, f"已生成工单 {order.number}")
            return redirect("workorders:detail", order.pk)
        else:
            raise ValidationError("未知操作")
    except (ValidationError, PermissionDenied, ValueError) as exc:
        messages.error(request, _error(exc))
    except Exception as exc:
        from regwatch.workorders.workflow import TransitionRefused

        if not isinstance(exc, TransitionRefused):
            raise
        messages.error(request, exc.message)
    return redirect("warnings:detail", w.pk)
