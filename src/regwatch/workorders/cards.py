"""What work orders add to the landing page: what waits for me, what is overdue or due soon."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from . import queue as q

TOP = 5
SHOWN_TABS = ("mine", "overdue", "due_soon", "supervised")


def work_card(user: Any) -> dict[str, Any]:
    counts = q.counts(user)
    queue_url = reverse("workorders:queue")
    return {
        "tabs": [{"code": t, "label": q.TABS[t], "count": counts[t], "url": f"{queue_url}?{urlencode({'tab': t})}"} for t in SHOWN_TABS],
        "overdue": list(q.queue(user, "overdue")[:TOP]),
        "overdue_url": f"{queue_url}?tab=overdue",
    }
