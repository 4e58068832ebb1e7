"""What work orders announce to the apps above them (notifications listens; we never import it).

    order_event.send(sender=WorkOrder, order_pk=3, event="step", context={"action": "签收", "actor": "张三"}, roles=())

``event`` is one of ``step``, ``assigned``, ``due_soon`` and ``overdue``; ``roles`` names the
roles to tell besides the assignees (escalation).
"""

from __future__ import annotations

from django.dispatch import Signal

order_event = Signal()
