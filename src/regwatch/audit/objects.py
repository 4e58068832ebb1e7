from __future__ import annotations

from typing import Any

from django.apps import apps

from regwatch.web.history import readable_changes
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, Display, ObjectType, register, register_display

from .chain import ACTIONS
from .filtersets import AccessEventFilterSet, AuditEventFilterSet, model_name
from .models import AccessEvent, AuditEvent, actor_text
from .services import API_CALL
from .signals import LOGIN_ACTIONS

register_display("object_type", Display(model_name))
register_display("actor_label", Display(lambda label: actor_text(str(label))))
register_labels(lambda: {**LOGIN_ACTIONS, API_CALL: "接口调用", "export": "数据导出", **ACTIONS})


def event_changes(event: AuditEvent, user: Any) -> dict[str, Any]:
    """Before and after as rows of field labels and readable values, not two object dumps."""
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return {"changes": []}
    return {"changes": readable_changes(model, event.changes)}


register(
    ObjectType(
        model=AuditEvent,
        slug="audit-events",
        menu="系统管理",
        menu_order=90,
        columns=[
            Column("at"),
            Column("actor_label", "操作人"),
            Column("action"),
            Column("object_type"),
            Column("object_repr", sort=None),
            Column("ip"),
        ],
        filterset=AuditEventFilterSet,
        list_actions="audit/_list_actions.html",
        detail_fields=["at", "actor_label", "action", "object_type", "object_repr", "ip", "request_id"],
        detail_template="audit/event_detail.html",
        # The chain's own columns (nonce, MAC, link) mean nothing without the key; the number does.
        api_fields=[
            "id",
            "at",
            "actor",
            "actor_label",
            "ip",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "seq",
        ],
        detail_context=event_changes,
    )
)

register(
    ObjectType(
        model=AccessEvent,
        slug="access-events",
        menu="系统管理",
        menu_order=91,
        columns=[Column("at"), Column("actor_label", "操作人"), Column("action"), Column("target"), Column("ip")],
        filterset=AccessEventFilterSet,
        api_fields=["id", "at", "actor", "actor_label", "ip", "action", "target", "detail", "seq"],
        list_actions="audit/_list_actions.html",
    )
)
