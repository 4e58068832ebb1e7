from __future__ import annotations

from regwatch.web.filters import DateRangeFilter, SearchFilterSet

from .models import AccessEvent, AuditEvent


class AuditEventFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "actor_label", "object_id")
    at = DateRangeFilter(label="时间（起止）")

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "object_type", "at"]


class AccessEventFilterSet(SearchFilterSet):
    search_fields = ("target", "actor_label", "action")
    at = DateRangeFilter(label="时间（起止）")

    class Meta:
        model = AccessEvent
        fields = ["q", "action", "at"]
