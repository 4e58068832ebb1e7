from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card; it polls itself with HTMX until the job ends."""
    job = get_object_or_404(Job, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.has_perm("ops.view_job"):
        raise PermissionDenied
    return render(request, "ops/_progress.html", {"job": job})
