from __future__ import annotations

from regwatch.web.registry import Column, ObjectType, register

from .filtersets import AccessEventFilterSet, AuditEventFilterSet
from .models import AccessEvent, AuditEvent

register(
    ObjectType(
        model=AuditEvent,
        slug="audit-events",
        menu="系统管理",
        menu_order=90,
        columns=[
            Column("at"),
            Column("actor_label"),
            Column("action"),
            Column("object_type"),
            Column("object_repr", sort=None),
            Column("ip"),
        ],
        filterset=AuditEventFilterSet,
    )
)

register(
    ObjectType(
        model=AccessEvent,
        slug="access-events",
        menu="系统管理",
        menu_order=91,
        columns=[Column("at"), Column("actor_label"), Column("action"), Column("target"), Column("ip")],
        filterset=AccessEventFilterSet,
    )
)
