"""Asking for an export approval and deciding requests; the list and detail are the generic ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from regwatch.accounts.scope import visible
from regwatch.core.text import error_text
from regwatch.web.export import ExportAsk, list_filters
from regwatch.web.registry import REGISTRY
from regwatch.web.services import require

from . import services
from .models import ApprovalRequest


@login_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    """申请导出审批: the export refused at ``next`` (list and filters) is asked for, with a reason."""
    require(request.user, "approvals.add_approvalrequest")
    otype = REGISTRY.get(request.POST.get("list", ""))
    if otype is None or not otype.export:
        raise Http404
    # The filters are those of the refused export, carried in the form as the list's query.
    query = request.POST.get("query", "")
    params = QueryDict(query)
    qs = visible(otype.queryset(), request.user)
    filterset = otype.filterset(params or None, queryset=qs, request=request)
    if filterset.is_bound and filterset.is_valid():
        qs = filterset.qs
    ask = ExportAsk(otype, list_filters(params), qs.count(), params.get("unmasked") == "1", params.get("reason", ""))
    try:
        req = services.request_export(request.user, ask, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(f"{otype.url()}?{query}")
    messages.success(request, "已提交审批申请，审批通过后可再次导出")
    return redirect("web:approvals_detail", req.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(visible(ApprovalRequest.objects.all(), request.user), pk=pk)
    approve = request.POST.get("action") == "approve"
    try:
        services.decide(request.user, req, approve, request.POST.get("note", ""))
    except ValidationError as exc:  # a refusal for want of permission stays a 403 (the matrix)
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已批准" if approve else "已驳回")
    return redirect("web:approvals_detail", req.pk)
