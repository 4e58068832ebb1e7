"""Templated notifications: in-app messages plus an outbox for pluggable channels.

    notify([user], "order_step", {"number": ..., "action": ...}, url="/workorders/3/")

Channels (email/SMS/IM) are functions registered with ``register_channel(code, send)``;
``send(item)`` raises on failure.  The default for every channel is ``sink`` — it keeps
the message in ``SINK`` and marks it sent — so nothing leaves the machine until a
deployment registers a real gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.accounts.scope import allows_object
from regwatch.core.text import render_message
from regwatch.workorders.models import WorkOrder

from .models import Message, OutboxItem

TEMPLATES: dict[str, tuple[str, str]] = {
    "order_step": ("工单{number}：{action}", "{actor}对工单“{title}”执行了“{action}”，当前状态：{state}。"),
    "order_assigned": ("新工单待签收：{number}", "工单“{title}”已派至您单位，请在{due}前签收办理。"),
    "order_due_soon": ("工单即将到期：{number}", "工单“{title}”（{state}）将于{due}到期，请抓紧办理。"),
    "order_overdue": ("工单已超期：{number}", "工单“{title}”在“{state}”环节已超过期限{due}，已升级提醒。"),
    "warning_new": ("新预警：{title}", "{message}"),
}
CHANNELS_FOR: dict[str, tuple[str, ...]] = {"order_overdue": ("sms",), "order_assigned": ("im",)}

SINK: list[OutboxItem] = []


def _sink(item: OutboxItem) -> None:
    SINK.append(item)


CHANNELS: dict[str, Callable[[OutboxItem], None]] = {"email": _sink, "sms": _sink, "im": _sink}


def register_channel(code: str, send: Callable[[OutboxItem], None]) -> None:
    CHANNELS[code] = send


def _address(user: Any, channel: str) -> str:
    if channel == "email":
        return str(user.email or "")
    if channel == "sms":
        return str(getattr(user, "phone", "") or "")
    return str(user.get_username())


def notify(users: Iterable[Any], template: str, context: dict[str, Any], url: str = "", channels: Iterable[str] | None = None) -> int:
    title_t, body_t = TEMPLATES[template]
    title, body = render_message(title_t, context)[:200], render_message(body_t, context)
    users = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    Message.objects.bulk_create(Message(recipient=u, kind=template, title=title, body=body, url=url) for u in users)
    items = []
    for channel in channels if channels is not None else CHANNELS_FOR.get(template, ()):
        for u in users:
            address = _address(u, channel)
            if address:
                items.append(OutboxItem(channel=channel, recipient=u, address=address, title=title, body=body))
    if items:
        OutboxItem.objects.bulk_create(items)
        transaction.on_commit(_deliver_later)
    return len(users)


def _deliver_later() -> None:
    from .tasks import deliver_outbox

    deliver_outbox()


def deliver(limit: int = 500) -> int:
    sent = 0
    for item in OutboxItem.objects.filter(status=OutboxItem.Status.PENDING, attempts__lt=5).order_by("id")[:limit]:
        item.attempts += 1
        try:
            CHANNELS.get(item.channel, _sink)(item)
        except Exception as exc:  # noqa: BLE001 - a gateway failure is recorded and retried, never lost
            item.error = str(exc)[:300]
            item.status = OutboxItem.Status.FAILED if item.attempts >= 5 else OutboxItem.Status.PENDING
        else:
            item.status, item.sent_at, item.error = OutboxItem.Status.SENT, timezone.now(), ""
            sent += 1
        item.save()
    return sent


def unread_count(user: Any) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def recipients_for_order(order: Any, roles: Iterable[str] = ()) -> list[Any]:

    users: list[Any] = []
    if order.assignee_user_id:
        users.append(order.assignee_user)
    elif order.assignee_org_id:
        users += list(User.objects.filter(organization_id=order.assignee_org_id, is_active=True))
    users += list(User.objects.filter(organization__in=order.co_orgs.all(), is_active=True))
    roles = list(roles)
    if roles:
        users += [u for u in User.objects.filter(groups__name__in=roles, is_active=True).distinct() if allows_object(u, order)]
    return users


def notify_order(order_pk: int, event: str, ctx: dict[str, Any], roles: Iterable[str] = ()) -> int:
    from django.urls import reverse
    from django.utils.formats import date_format

    order = WorkOrder.objects.select_related("workflow", "assignee_user", "assignee_org").get(pk=order_pk)
    due = date_format(timezone.localtime(order.due_at), "Y-m-d H:i") if order.due_at else "—"
    context = {"number": order.number, "title": order.title, "state": order.state_name, "due": due, **ctx}
    template = {"step": "order_step", "assigned": "order_assigned", "overdue": "order_overdue", "due_soon": "order_due_soon"}[event]
    return notify(recipients_for_order(order, roles), template, context, url=reverse("workorders:detail", args=[order.pk]))
