"""What clues and ledgers (台账) do beyond the generic list/detail: review, build, dispatch."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.core.models import Organization
from regwatch.core.orgpicker import ambiguous_names, pickable, picker
from regwatch.core.text import error_text
from regwatch.web.services import require

from . import clues as svc
from .models import Clue, Ledger
from .workflow import TransitionRefused, covers_region, may_cross_regions


def clue_context(clue: Clue, user: Any) -> dict[str, Any]:
    return {"can_review": clue.status == Clue.Status.NEW and user.has_perm("workorders.change_clue")}


def ledger_context(ledger: Ledger, user: Any) -> dict[str, Any]:
    items = list(visible(ledger.items.select_related("clue__region", "organization", "work_order__workflow"), user))
    can_dispatch = user.has_perm("workorders.add_workorder")
    pickers: dict[int, Any] = {}
    if can_dispatch:
        # Each undispatched item may be re-routed to an organisation the user may hand its clue's region to.
        everyone = list(pickable(Organization.objects.all()))
        ambiguous = ambiguous_names()
        for it in items:
            if it.work_order_id is None:
                orgs = everyone if may_cross_regions(user) else [o for o in everyone if covers_region(o, it.clue.region)]
                pickers[it.pk] = picker(f"org_{it.pk}", orgs, selected=it.organization, ambiguous=ambiguous)
    rows = [{"item": it, "picker": pickers.get(it.pk)} for it in items]
    return {"ledger": ledger, "items": items, "rows": rows, "can_dispatch": can_dispatch}


@login_required
def clues(request: HttpRequest) -> HttpResponse:
    """The old address of the clue list (now the generic list, with 新增 for registering one)."""
    require(request.user, "workorders.view_clue")
    return redirect("web:clues_list")


@login_required
@require_POST
def review_clue(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.change_clue")
    clue = get_object_or_404(visible(Clue.objects.all(), request.user), pk=pk)
    try:
        svc.review_clue(request.user, clue, request.POST.get("decision") == "accept", request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, "已审核")
    return redirect("web:clues_detail", clue.pk)


@login_required
def ledgers(request: HttpRequest) -> HttpResponse:
    """GET: the generic ledger list; POST: build this period's ledger from the accepted clues."""
    require(request.user, "workorders.view_ledger")
    if request.method == "POST":
        try:
            ledger = svc.build_ledger(
                request.user, request.POST.get("name", "").strip() or "线索核查台账", request.POST.get("period", "").strip() or "本期"
            )
        except (ValidationError, PermissionDenied, AttributeError) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("web:ledgers_detail", ledger.pk)
    return redirect("web:ledgers_list")


@login_required
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.view_ledger")
    ledger = get_object_or_404(visible(Ledger.objects.all(), request.user), pk=pk)
    if request.method == "POST":
        try:
            posted = {k: request.POST.get(k, "") for k in request.POST if k.startswith("org_") and k[4:].isdecimal()}
            chosen = {int(k[4:]): int(v) for k, v in posted.items() if v.isdecimal()}
            orgs = Organization.objects.select_related("region").in_bulk(set(chosen.values()))
            n = svc.dispatch_ledger(request.user, ledger, organizations={k: orgs[v] for k, v in chosen.items() if v in orgs})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        except TransitionRefused as exc:
            messages.error(request, f"未派发：{exc.message}")
        else:
            messages.success(request, f"已派发 {n} 件工单")
    return redirect("web:ledgers_detail", ledger.pk)
