"""Templated notifications: in-app messages plus an outbox delivered through pluggable channels.

    notify([user], "order_step", {"number": ..., "action": ...}, url="/workorders/3/", about=order)

``about`` is the scoped object the message speaks of: a recipient who may not see it (data
scope, ``accounts.scope.visible``) gets nothing, so a message never reveals a subject outside
the recipient's scope.  Channels (``channels.py``: e-mail, SMS and IM gateways) are functions
``send(item)`` registered under a code; an outbox item is marked sent only when ``send``
returned.  A failure keeps its reason and is tried again with back-off
(``backoff``) until ``REGWATCH_OUTBOX_MAX_ATTEMPTS``, then it is dead until an administrator
retries it from the outbox page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from regwatch.accounts.models import User
from regwatch.accounts.scope import visible
from regwatch.core.text import render_message
from regwatch.web.services import require
from regwatch.workorders.models import WorkOrder

from . import channels
from .models import Message, OutboxItem, RuleFollow

TEMPLATES: dict[str, tuple[str, str]] = {
    "order_step": ("工单{number}：{action}", "{actor}对工单“{title}”执行了“{action}”，当前状态：{state}。"),
    "order_assigned": ("新工单待签收：{number}", "工单“{title}”已派至您单位，请在{due}前签收办理。"),
    "order_waiting": ("工单待您办理：{number}", "工单“{title}”已进入“{state}”环节，可办理：{actions}，请在{due}前处理。"),
    "order_due_soon": ("工单即将到期：{number}", "工单“{title}”（{state}）将于{due}到期，请抓紧办理。"),
    "order_overdue": ("工单已超期：{number}", "工单“{title}”在“{state}”环节已超过期限{due}，已升级提醒。"),
    "warning_new": ("新预警：{title}", "{message}"),
    "login_alert": ("登录异常：{who}", "{what}。如非本人操作，请核查来源；需要时可在用户详情页解除限制，或请运维人员用命令行解除。"),
}
# External channels per template (the in-app message is always written).
CHANNELS_FOR: dict[str, tuple[str, ...]] = {
    "order_overdue": ("sms",),
    "order_assigned": ("im",),
    "order_waiting": ("im",),
    "warning_new": ("email",),
    "login_alert": ("email",),
}
CHANNELS: dict[str, Callable[[OutboxItem], None]] = channels.defaults()
LEASE = dt.timedelta(minutes=10)  # longer than one send may take (timeouts × retries)


def register_channel(code: str, send: Callable[[OutboxItem], None]) -> None:
    CHANNELS[code] = send


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failures: 1, 4, 16, 64 minutes … at most 6 hours."""
    return dt.timedelta(seconds=min(60 * 4 ** max(attempts - 1, 0), 6 * 3600))


def can_see(user: Any, obj: Any) -> bool:
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def _address(user: Any, channel: str) -> str:
    if channel == "email":
        return str(user.email or "")
    if channel == "sms":
        return str(getattr(user, "phone", "") or "")
    return str(user.get_username())


def notify(
    users: Iterable[Any],
    template: str,
    context: dict[str, Any],
    url: str = "",
    channels: Iterable[str] | None = None,
    about: Any = None,
) -> int:
    title_t, body_t = TEMPLATES[template]
    title, body = render_message(title_t, context)[:200], render_message(body_t, context)
    users = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    if about is not None:
        users = [u for u in users if can_see(u, about)]
    Message.objects.bulk_create(Message(recipient=u, kind=template, title=title, body=body, url=url) for u in users)
    items = []
    for channel in channels if channels is not None else CHANNELS_FOR.get(template, ()):
        for u in users:
            address = _address(u, channel)
            if address:
                items.append(OutboxItem(channel=channel, kind=template, recipient=u, address=address, title=title, body=body, url=url))
    if items:
        OutboxItem.objects.bulk_create(items)
        transaction.on_commit(_deliver_later)
    return len(users)


def _deliver_later() -> None:
    from .tasks import deliver_outbox

    deliver_outbox()


def _claim(item: OutboxItem, now: dt.datetime) -> bool:
    """Take the item for one attempt; a second worker that read the same row loses the UPDATE."""
    qs = OutboxItem.objects.filter(pk=item.pk, status=item.status, attempts=item.attempts)
    qs = qs.filter(next_attempt_at__isnull=True) if item.next_attempt_at is None else qs.filter(next_attempt_at=item.next_attempt_at)
    return qs.update(next_attempt_at=now + LEASE) == 1


def attempt(item: OutboxItem, now: dt.datetime | None = None) -> bool:
    """One try through the item's channel; returns whether the channel accepted it."""
    now = now or timezone.now()
    item.attempts += 1
    item.last_attempt_at = now
    send = CHANNELS.get(item.channel)
    try:
        if send is None:
            raise channels.ChannelError(f"未知的发送渠道：{item.channel}")
        send(item)
    except Exception as exc:  # noqa: BLE001 - a channel failure is recorded with its reason and retried, never lost
        item.error = (str(exc) or type(exc).__name__)[:300]
        if item.attempts >= settings.REGWATCH_OUTBOX_MAX_ATTEMPTS:
            item.status, item.next_attempt_at = OutboxItem.Status.DEAD, None
        else:
            item.status, item.next_attempt_at = OutboxItem.Status.FAILED, now + backoff(item.attempts)
        ok = False
    else:
        item.status, item.sent_at, item.error, item.next_attempt_at = OutboxItem.Status.SENT, timezone.now(), "", None
        ok = True
    item.save(update_fields=["attempts", "last_attempt_at", "status", "error", "next_attempt_at", "sent_at"])
    return ok


def due(now: dt.datetime) -> Any:
    waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return OutboxItem.objects.filter(waiting, status__in=[OutboxItem.Status.PENDING, OutboxItem.Status.FAILED])


def deliver(limit: int = 500, now: dt.datetime | None = None) -> int:
    """Send what is due (new items, and failed ones whose back-off has passed); returns how many were accepted."""
    now = now or timezone.now()
    sent = 0
    for item in due(now).order_by("id")[:limit]:
        if _claim(item, now):
            sent += attempt(item, now)
    return sent


def retry(user: Any, item: OutboxItem) -> None:
    """An administrator sends a failed or dead item again now (one more attempt, whatever the count)."""
    require(user, "notifications.change_outboxitem")
    if item.status == OutboxItem.Status.SENT:
        raise ValidationError("该消息已发送，无需重试")
    OutboxItem.objects.filter(pk=item.pk).update(status=OutboxItem.Status.PENDING, next_attempt_at=None)
    transaction.on_commit(_deliver_later)


def unread_count(user: Any) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


# --- follows -----------------------------------------------------------------------------


def follows(user: Any, rule: Any) -> bool:
    return RuleFollow.objects.filter(user=user.pk, rule=rule).exists()


def set_follow(user: Any, rule: Any, on: bool) -> None:
    require(user, "warnings.view_warning")
    if on:
        RuleFollow.objects.get_or_create(user=user, rule=rule)
    else:
        RuleFollow.objects.filter(user=user, rule=rule).delete()


def notify_followers(warning: Any) -> int:
    """A new warning goes to the followers of its rule who may see warnings and its subject."""
    if warning.rule_id is None:
        return 0
    users = [f.user for f in RuleFollow.objects.filter(rule_id=warning.rule_id).select_related("user")]
    users = [u for u in users if u.has_perm("warnings.view_warning")]
    context = {"title": warning.title, "message": warning.message, "level": warning.get_level_display()}
    return notify(users, "warning_new", context, url=reverse("web:warnings_detail", args=[warning.pk]), about=warning)


# --- work orders -------------------------------------------------------------------------


def recipients_for_order(order: Any, roles: Iterable[str] = ()) -> list[Any]:
    """The assignee (person, else its organisation's users), the co-handling organisations, and users of ``roles``."""
    users: list[Any] = []
    if order.assignee_user_id:
        users.append(order.assignee_user)
    elif order.assignee_org_id:
        users += list(User.objects.filter(organization_id=order.assignee_org_id, is_active=True))
    users += list(User.objects.filter(organization__in=order.co_orgs.all(), is_active=True))
    roles = list(roles)
    if roles:
        users += list(User.objects.filter(groups__name__in=roles, is_active=True).distinct())
    return users


def notify_order(order_pk: int, event: str, ctx: dict[str, Any], roles: Iterable[str] = (), actor_id: int | None = None) -> int:
    order = WorkOrder.objects.select_related("workflow", "assignee_user", "assignee_org").get(pk=order_pk)
    due = date_format(timezone.localtime(order.due_at), "Y-m-d H:i") if order.due_at else "—"
    context = {"number": order.number, "title": order.title, "state": order.state_name, "due": due, **ctx}
    if event == "waiting":
        # The order waits for people of these roles (e.g. verification), not for its assignee.
        users = list(User.objects.filter(groups__name__in=list(roles), is_active=True).distinct())
        moves = [t for t in order.spec["transitions"] if order.state in t["from"] and t.get("to") and t["to"] != order.state]
        context["actions"] = "、".join(t["name"] for t in moves) or "—"
    else:
        users = recipients_for_order(order, roles)
    template = {
        "step": "order_step",
        "assigned": "order_assigned",
        "waiting": "order_waiting",
        "overdue": "order_overdue",
        "due_soon": "order_due_soon",
    }[event]
    users = [u for u in users if u.pk != actor_id]
    return notify(users, template, context, url=reverse("web:work-orders_detail", args=[order.pk]), about=order)


# Who hears about login attacks: the security administrators; where that role is not set up
# (or has nobody), the system administrators, so an alert never goes nowhere.
SECURITY_ROLES = ("security_admin", "system_admin")


def security_admins() -> list[Any]:
    for role in SECURITY_ROLES:
        users = list(User.objects.filter(groups__name=role, is_active=True).distinct())
        if users:
            return users
    return list(User.objects.filter(is_superuser=True, is_active=True))


def notify_login_alert(kind: str, username: str, ip: str, failures: int, minutes: int) -> int:
    if kind == "address":
        who = f"IP {ip}"
        what = f"IP地址{ip}登录失败已达{failures}次（涉及多个账号），已暂停该地址登录{minutes}分钟"
    else:
        who = f"账号{username}"
        what = f"账号{username}登录失败已达{failures}次（最近一次来自IP {ip}）"
        what += f"，该地址须等待{minutes}分钟后再试" if minutes else "，登录时须输入验证码"
    return notify(security_admins(), "login_alert", {"who": who, "what": what})
