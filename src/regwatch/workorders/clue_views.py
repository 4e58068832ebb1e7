"""Clue intake/review and ledger (台账) screens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.core.models import Region
from regwatch.web.forms import style_form
from regwatch.web.services import require, require_in_scope

from . import clues as svc
from .models import Clue, Ledger


class ClueForm(forms.ModelForm):
    class Meta:
        model = Clue
        fields = ["title", "content", "region", "source"]


@login_required
def clues(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.view_clue")
    form = ClueForm(request.POST or None)
    form.fields["region"].queryset = visible(Region.objects.exclude(level="province"), request.user)  # type: ignore[attr-defined]
    style_form(form)
    if request.method == "POST":
        require(request.user, "workorders.add_clue")
        if form.is_valid():
            clue = form.save(commit=False)
            require_in_scope(request.user, clue)
            clue.save()
            messages.success(request, "线索已登记，待审核")
            return redirect("workorders:clues")
    rows = visible(Clue.objects.select_related("region"), request.user)[:200]
    return render(request, "workorders/clues.html", {"form": form, "clues": rows})


@login_required
@require_POST
def review_clue(request: HttpRequest, pk: int) -> HttpResponse:
    clue = get_object_or_404(visible(Clue.objects.all(), request.user), pk=pk)
    try:
        svc.review_clue(request.user, clue, request.POST.get("decision") == "accept", request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("workorders:clues")


@login_required
def ledgers(request: HttpRequest) -> HttpResponse:
    require(request.user, "workorders.view_ledger")
    if request.method == "POST":
        try:
            ledger = svc.build_ledger(
                request.user, request.POST.get("name", "").strip() or "线索核查台账", request.POST.get("period", "").strip() or "本期"
            )
        except (ValidationError, PermissionDenied, AttributeError) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("workorders:ledger", ledger.pk)
    return render(request, "workorders/ledgers.html", {"ledgers": visible(Ledger.objects.all(), request.user)[:100]})


@login_required
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "workorders.view_ledger")
    ledger = get_object_or_404(visible(Ledger.objects.all(), request.user), pk=pk)
    if request.method == "POST":
        try:
            n = svc.dispatch_ledger(request.user, ledger)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已派发 {n} 件工单")
        return redirect("workorders:ledger", ledger.pk)
    items = ledger.items.select_related("clue", "organization", "work_order__workflow")
    return render(request, "workorders/ledger.html", {"ledger": ledger, "items": items})
