"""My messages, the navbar badge (unread messages + to-do work orders), the outbox page, rule follows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from regwatch.core.masking import mask_phone
from regwatch.warnings.models import WarningRule
from regwatch.web.readable import Identifier
from regwatch.web.redirects import safe_next
from regwatch.web.services import require
from regwatch.workorders.queue import queue

from . import channels, services
from .models import Message, OutboxItem
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


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """外发消息: what left (or failed to leave) the machine, with the reason, attempts and a retry button."""
    require(request.user, "notifications.view_outboxitem")
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    qs = OutboxItem.objects.select_related("recipient")
    if status in OutboxItem.Status.values:
        qs = qs.filter(status=status)
    if channel in channels.LABELS:
        qs = qs.filter(channel=channel)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for item in page:
        item.channel_label = channels.label(item.channel)  # type: ignore[attr-defined]
        # An address is an identifier (a phone, a mailbox, a login name), shown as it is.
        item.shown_address = Identifier(mask_phone(item.address) if item.channel == "sms" else item.address)  # type: ignore[attr-defined]
    counts = dict(OutboxItem.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": [(code, label, counts.get(code, 0)) for code, label in OutboxItem.Status.choices],
            "channels": list(channels.LABELS.items()),
            "can_retry": request.user.has_perm("notifications.change_outboxitem"),
            "query": f"status={status}&channel={channel}",
        },
    )


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(OutboxItem, pk=pk)
    try:
        services.retry(request.user, item)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        item.refresh_from_db()
        if item.status == OutboxItem.Status.SENT:
            messages.success(request, f"已重新发送：{item.title}")
        elif item.status == OutboxItem.Status.PENDING:
            messages.info(request, f"已加入发送队列：{item.title}")
        else:
            messages.error(request, f"重试仍失败：{item.error}")
    return redirect(_next(request, "notifications:outbox"))


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(WarningRule, pk=pk)
    on = request.POST.get("on") == "1"
    services.set_follow(request.user, rule, on)
    messages.success(request, f"已关注规则“{rule.name}”，该规则产生新预警时将通知您" if on else f"已取消关注规则“{rule.name}”")
    return redirect(_next(request, "web:warning-rules_detail", rule.pk))


def _next(request: HttpRequest, fallback: str, *args: object) -> str:
    return safe_next(request, reverse(fallback, args=args), request.POST.get("next", ""))
