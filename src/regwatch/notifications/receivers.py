"""Notifications listen to the apps below them; those apps never import us."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from regwatch.workorders.signals import order_event

from .services import notify_order


@receiver(order_event, dispatch_uid="regwatch.notifications.order_event")
def on_order_event(sender: Any, order_pk: int, event: str, context: dict[str, Any], roles: Any = (), **kwargs: Any) -> None:
    notify_order(order_pk, event, context, roles)
