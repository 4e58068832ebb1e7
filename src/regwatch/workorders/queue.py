"""Work queues (mine, my team, overdue, due soon) and lock-and-next for concurrent handlers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from regwatch.accounts.scope import visible

from .models import WorkOrder

LOCK_MINUTES = 30
DUE_SOON_HOURS = 24
TABS = {"mine": "我的待办", "team": "本单位及下级", "overdue": "已超期", "due_soon": "即将到期", "supervised": "督办件"}


def scoped(user: Any) -> QuerySet[WorkOrder]:
    """The orders ``user`` may see, for the screens and the API."""
    return visible(WorkOrder.objects.select_related("workflow", "region", "subject", "assignee_org", "assignee_user", "warning"), user)


def open_orders(user: Any) -> QuerySet[WorkOrder]:
    return visible(WorkOrder.objects.filter(closed_at__isnull=True), user)


def mine_q(user: Any) -> Q:
    q = Q(assignee_user=user)
    org = getattr(user, "organization", None)
    if org is not None:
        q |= Q(assignee_user__isnull=True, assignee_org=org) | Q(co_orgs=org)
    return q


def queue(user: Any, tab: str = "mine", now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    now = now or timezone.now()
    qs = open_orders(user).select_related("workflow", "assignee_org", "assignee_user", "subject", "region")
    if tab == "mine":
        qs = qs.filter(pk__in=WorkOrder.objects.filter(mine_q(user)).values("pk"))
    elif tab == "team":
        org = getattr(user, "organization", None)
        qs = qs.filter(assignee_org__path__startswith=org.path) if org is not None else qs.none()
    elif tab == "overdue":
        qs = qs.filter(due_at__lt=now)
    elif tab == "due_soon":
        qs = qs.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(hours=DUE_SOON_HOURS))
    elif tab == "supervised":
        qs = qs.filter(supervised=True)
    return qs.order_by("due_at", "created_at", "pk")


def counts(user: Any) -> dict[str, int]:
    return {tab: queue(user, tab).count() for tab in TABS}


def lock_next(user: Any, tab: str = "mine", now: dt.datetime | None = None) -> WorkOrder | None:
    """Take the most urgent unlocked order of the queue and lock it for ``user``.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent handlers never wait on or
    take the same row.  SQLite: transactions take the write lock at BEGIN (IMMEDIATE), and
    the claim is a conditional UPDATE whose row count says whether we won.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=LOCK_MINUTES)
    free = Q(locked_by__isnull=True) | Q(locked_at__lt=stale) | Q(locked_by=user)
    candidates = queue(user, tab, now).filter(free)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(candidates.values_list("pk", flat=True)[:20])
            order = (
                WorkOrder.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ids)
                .filter(free)
                .order_by("due_at", "created_at", "pk")
                .first()
            )
            if order is None:
                return None
            WorkOrder.objects.filter(pk=order.pk).update(locked_by=user, locked_at=now)
            order.locked_by, order.locked_at = user, now
            return order
        for pk in candidates.values_list("pk", flat=True)[:20]:
            if WorkOrder.objects.filter(free, pk=pk).update(locked_by=user, locked_at=now):
                return WorkOrder.objects.get(pk=pk)
    return None


def unlock(order: WorkOrder, user: Any) -> None:
    WorkOrder.objects.filter(pk=order.pk, locked_by=user).update(locked_by=None, locked_at=None)
