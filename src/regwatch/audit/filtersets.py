"""The auditor's search: time range, actor, action, object type, IP and keyword, for the UI list, its
Excel export and the API list alike.  Codes are offered by their Chinese labels."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.apps import apps
from django.db import models
from django.db.models import Q

from regwatch.web.filters import DateRangeFilter, SearchFilterSet
from regwatch.web.readable import label

from .models import AccessEvent, AuditEvent


def model_name(value: Any) -> Any:
    """``app.model`` as the model's Chinese name (审计事件's 对象类型)."""
    try:
        return str(apps.get_model(str(value))._meta.verbose_name)
    except (LookupError, ValueError):
        return value


def _present(model: type[models.Model], field: str, show: Any) -> list[tuple[str, str]]:
    """The values a column holds now, as (code, label) sorted by label."""
    values = model._default_manager.order_by().values_list(field, flat=True).distinct()
    return sorted(((v, str(show(v))) for v in values if v), key=lambda pair: pair[1])


def object_type_choices() -> list[tuple[str, str]]:
    return _present(AuditEvent, "object_type", model_name)


def access_action_choices() -> list[tuple[str, str]]:
    return _present(AccessEvent, "action", label)


class _TrailFilterSet(SearchFilterSet):
    """The keyword also searches the JSON columns (before/after, detail): a changed address or the
    filters of an export are found by what they said."""

    json_fields: tuple[str, ...] = ()
    at = DateRangeFilter(label="时间（起止）")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="操作人")
    ip = django_filters.CharFilter(field_name="ip", lookup_expr="startswith", label="IP 地址（可填前缀）")

    def search_condition(self, queryset: models.QuerySet[Any], value: str) -> Q:
        condition = super().search_condition(queryset, value)
        # PostgreSQL reads JSON back as text with the characters; SQLite keeps them \u-escaped.
        for word in {value, json.dumps(value)[1:-1]}:
            for f in self.json_fields:
                condition |= Q(**{f"{f}__icontains": word})
        return condition


class AuditEventFilterSet(_TrailFilterSet):
    search_fields = ("object_repr", "actor_label", "object_id", "request_id")
    json_fields = ("before", "after")
    object_type = django_filters.ChoiceFilter(choices=object_type_choices, label="对象类型", empty_label="全部")

    class Meta:
        model = AuditEvent
        fields = ["q", "at", "actor", "action", "object_type", "ip"]


class AccessEventFilterSet(_TrailFilterSet):
    search_fields = ("target", "actor_label", "action")
    json_fields = ("detail",)
    action = django_filters.ChoiceFilter(choices=access_action_choices, label="动作", empty_label="全部")

    class Meta:
        model = AccessEvent
        fields = ["q", "at", "actor", "action", "ip"]
