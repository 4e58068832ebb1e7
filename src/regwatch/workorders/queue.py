"""Work queues (mine, my team, overdue, due soon) and lock-and-next for concurrent handlers.

我的待办 (``mine``) holds what waits for the user: orders in a state that waits for one of
their roles (``workflow.waiting_roles``: verification, dispatch) within their data scope, and
in every other state the orders assigned to them, to their organisation or co-handled by it.
An order handed to verification leaves the handler's 我的待办 and enters the verifier's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from regwatch.accounts.scope import visible

from .models import Clue, WorkflowDefinition, WorkOrder
from .workflow import user_roles, waiting_roles

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


def waiting_states() -> dict[int, dict[str, set[str]]]:
    """For every workflow version: the states that wait for roles, and those roles."""
    out: dict[int, dict[str, set[str]]] = {}
    for pk, spec in WorkflowDefinition.objects.values_list("pk", "definition"):
        states = {s["code"]: roles for s in spec.get("states", []) if (roles := waiting_roles(spec, s["code"]))}
        if states:
            out[pk] = states
    return out


def waiting_for_q(user: Any) -> Q:
    """Orders that wait for ``user`` (before the data-scope filter, which ``queue`` applies)."""
    roles = user_roles(user)
    for_roles, role_states = Q(pk__in=[]), Q(pk__in=[])
    for pk, states in waiting_states().items():
        role_states |= Q(workflow_id=pk, state__in=list(states))
        if mine := [code for code, wanted in states.items() if wanted & roles]:
            for_roles |= Q(workflow_id=pk, state__in=mine)
    assigned = Q(pk__in=WorkOrder.objects.filter(mine_q(user)).values("pk")) & ~role_states
    return assigned | for_roles


def queue(user: Any, tab: str = "mine", now: dt.datetime | None = None) -> QuerySet[WorkOrder]:
    now = now or timezone.now()
    qs = open_orders(user).select_related("workflow", "assignee_org", "assignee_user", "subject", "region")
    if tab == "mine":
        qs = qs.filter(waiting_for_q(user))
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


def next_steps(orders: list[WorkOrder], user: Any) -> dict[int, list[str]]:
    """For each order, the names of the steps ``user`` may take now (核查办结、退回重办…), in one pass.

    The same rule as ``workflow.refusal`` (role, assignee), with the user's roles and organisation
    read once rather than per order.
    """
    roles = user_roles(user)
    org_id = getattr(user, "organization_id", None)
    co_handled = WorkOrder.co_orgs.through.objects.filter(workorder__in=orders, organization_id=org_id) if org_id else None
    co = set(co_handled.values_list("workorder_id", flat=True)) if co_handled is not None else set()
    allowed = user.is_superuser or user.has_perm("workorders.change_workorder")
    out: dict[int, list[str]] = {}
    for o in orders:
        mine = o.assignee_user_id == user.pk if o.assignee_user_id else (org_id is not None and (o.assignee_org_id == org_id or o.pk in co))
        rank = {st["code"]: i for i, st in enumerate(o.spec["states"])}
        possible = [
            t
            for t in o.spec["transitions"]
            if allowed
            and o.state in t["from"]
            and (user.is_superuser or not t["roles"] or roles & set(t["roles"]))
            and (user.is_superuser or not t.get("assignee_only") or mine)
        ]
        # The step that moves the order furthest on first (核查办结 before 退回重办); steps that stay, last.
        possible.sort(key=lambda t: -rank.get(t.get("to") or "", -1))
        out[o.pk] = [t["name"] for t in possible]
    return out


def clues_to_review(user: Any) -> QuerySet[Clue]:
    """Clues (线索) waiting for someone who may review them, within the user's scope: also 我的待办."""
    if not user.has_perm("workorders.change_clue"):
        return Clue.objects.none()
    return visible(Clue.objects.filter(status=Clue.Status.NEW).select_related("region", "subject"), user).order_by("created_at", "pk")


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
