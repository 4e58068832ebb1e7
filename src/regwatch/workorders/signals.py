"""Signals about work orders, so that apps such as notifications never reach into the engine.

``order_event``: sent once the change is committed, with ``order_id``, ``event`` and:

- ``"assigned"`` — dispatched or transferred to an organisation or person (they must act);
- ``"step"`` — any other transition (the assignee and co-handlers are told);
- ``"waiting"`` — the order entered a state that waits for ``roles`` (verification, dispatch);
- ``"due_soon"`` / ``"overdue"`` — the deadline sweep (``roles``: escalate to).

``context`` carries template values (action, actor, state); ``actor_id`` is the user who acted
(not told about their own step).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

order_event = Signal()


def announce_order(
    order_id: int, event: str, context: dict[str, Any] | None = None, roles: Iterable[str] = (), actor_id: int | None = None
) -> None:
    """Send ``order_event`` when the surrounding transaction commits (immediately if none)."""
    ctx, role_list = dict(context or {}), sorted(roles)
    transaction.on_commit(
        lambda: order_event.send(sender=None, order_id=order_id, event=event, context=ctx, roles=role_list, actor_id=actor_id)
    )
