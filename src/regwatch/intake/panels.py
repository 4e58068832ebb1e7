"""The subject-page panel 数据来源与更新: where each attribute and record type came from, and when."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max

from .mapping import SUBJECT_FIELDS
from .models import RecordLineage, SubjectLineage

ATTR_LABELS = {**SUBJECT_FIELDS, "region": "所属区划"}


def lineage_panel(subject: Any, user: Any) -> dict[str, Any] | None:
    attrs = list(SubjectLineage.objects.filter(subject=subject).select_related("source").order_by("field"))
    records = list(
        RecordLineage.objects.filter(record__subject=subject)
        .values("source__name", "record__record_type__name")
        .annotate(n=Count("id"), last=Max("refreshed_at"), last_batch=Max("batch_id"))
        .order_by("-last")
    )
    if not attrs and not records:
        return None
    return {"attrs": [(ATTR_LABELS.get(a.field, a.field), a) for a in attrs], "records": records}
