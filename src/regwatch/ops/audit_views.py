"""The auditor's integrity check of the audit trail (校验), run as a background job with progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regwatch.web.services import require

from .models import Job
from .progress import start_job
from .tasks import AUDIT_VERIFY, VERIFY_PERMS, verify_audit_trail


@login_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    for perm in VERIFY_PERMS:
        require(request.user, perm)
    jobs = Job.objects.filter(kind=AUDIT_VERIFY)
    if request.method == "POST":
        running = jobs.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING]).first()
        if running is not None:
            messages.info(request, "校验正在进行，请等待其完成。")
        else:
            job = start_job(AUDIT_VERIFY, "审计日志完整性校验", user=request.user, unit="条")
            verify_audit_trail(job.pk)
        return redirect("ops:audit_verify")
    return render(request, "ops/audit_verify.html", {"job": jobs.order_by("-created_at", "-id").first()})
