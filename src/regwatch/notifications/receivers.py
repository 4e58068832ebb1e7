"""Signal receivers: new warnings reach the followers of their rule; work-order events reach the people concerned."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from regwatch.accounts.lockout import login_alert
from regwatch.workorders.signals import order_event

from . import services


@receiver(post_save, sender="warnings.Warning", dispatch_uid="regwatch.notifications.warning_created")
def _warning_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw and instance.rule_id is not None:
        # After commit: a warning rolled back (e.g. lost a race for the open slot) is never announced.
        transaction.on_commit(lambda: services.notify_followers(instance))


@receiver(order_event, dispatch_uid="regwatch.notifications.order_event")
def _order_event(
    sender: Any, order_id: int, event: str, context: dict[str, Any], roles: list[str], actor_id: int | None = None, **kwargs: Any
) -> None:
    services.notify_order(order_id, event, context, roles, actor_id)


@receiver(login_alert, dispatch_uid="regwatch.notifications.login_alert")
def _login_alert(sender: Any, kind: str, username: str, ip: str, failures: int, minutes: int, **kwargs: Any) -> None:
    services.notify_login_alert(kind, username, ip, failures, minutes)
