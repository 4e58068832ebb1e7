"""What warnings add to the landing page: today's new warnings and the open ones, by level."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone

from .models import LEVEL_RANK, OPEN_STATUSES, Level
from .services import scoped

TOP = 5


def warning_card(user: Any) -> dict[str, Any]:
    warnings = scoped(user)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    open_ = warnings.filter(status__in=OPEN_STATUSES)
    by_level = dict(open_.values_list("level").annotate(n=Count("pk")).order_by())
    list_url = reverse("web:warnings_list")

    def url(**params: str) -> str:
        return f"{list_url}?{urlencode(params)}"

    rank = Case(*[When(level=code, then=Value(n)) for code, n in LEVEL_RANK.items()], default=Value(0), output_field=IntegerField())
    latest = list(open_.annotate(rank=rank).order_by("-rank", "-first_at", "-pk")[:TOP])
    return {
        "new_today": warnings.filter(first_at__gte=start).count(),
        "today_url": url(first_at_after=today.isoformat(), first_at_before=today.isoformat()),
        "open": sum(by_level.values()),
        "open_url": url(open_only="true"),
        "levels": [
            {"code": code, "label": label, "count": by_level.get(code, 0), "url": url(open_only="true", level=code)}
            for code, label in Level.choices
        ],
        "latest": latest,
    }
