"""My messages and the navbar badge (unread messages + to-do work orders)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.workorders.queue import queue

from .models import Message
from .services import unread_count


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(Message.objects.filter(recipient=request.user.pk), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    msg = get_object_or_404(Message, pk=pk, recipient=request.user)
    if msg.read_at is None:
        msg.read_at = timezone.now()
        msg.save(update_fields=["read_at"])
    return redirect(msg.url or "notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    Message.objects.filter(recipient=request.user.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:inbox")


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    todo = 0
    if request.user.has_perm("workorders.view_workorder"):
        todo = queue(request.user, "mine").count()
    return render(request, "notifications/_badge_counts.html", {"unread": unread_count(request.user), "todo": todo})
