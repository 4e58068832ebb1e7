"""Reminders before a state's deadline and escalation when it passes (huey periodic task)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from regwatch.audit.context import system

from .models import WorkOrder
from .signals import announce_order
from .workflow import state_spec


def check_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    reminded = escalated = 0
    for order in WorkOrder.objects.filter(closed_at__isnull=True, due_at__isnull=False).select_related("workflow"):
        state = state_spec(order)
        assert order.due_at is not None
        if order.due_at < now:
            if order.escalation_level == 0:
                WorkOrder.objects.filter(pk=order.pk).update(escalation_level=F("escalation_level") + 1, was_overdue=True)
                announce_order(order.pk, "overdue", {"state": state["name"]}, roles=state.get("escalate_to") or [])
                escalated += 1
        elif (
            not order.reminded
            and state.get("remind_before_hours")
            and order.due_at - dt.timedelta(hours=state["remind_before_hours"]) <= now
        ):
            WorkOrder.objects.filter(pk=order.pk).update(reminded=True)
            announce_order(order.pk, "due_soon", {"state": state["name"]})
            reminded += 1
    return {"reminded": reminded, "escalated": escalated}


@db_periodic_task(crontab(minute="*/15"))
def deadline_sweep() -> dict[str, int]:
    with system("workorder-deadlines"):
        return check_deadlines()
