"""``{% load jobs %}{% job_card object %}``: the progress card of the latest job on an object.

Shown while the job is pending or running (the card polls itself) and for a while after it ended,
so whoever started it sees the outcome or the failure when they come back to the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from regwatch.ops.models import Job
from regwatch.ops.progress import ref_of

register = template.Library()

SHOW_FINISHED_FOR = dt.timedelta(minutes=30)


@register.inclusion_tag("ops/_progress_slot.html")
def job_card(obj: Any) -> dict[str, Any]:
    recent = Q(finished_at__isnull=True) | Q(finished_at__gte=timezone.now() - SHOW_FINISHED_FOR)
    return {"job": Job.objects.filter(recent, ref=ref_of(obj)).order_by("-created_at", "-id").first()}
