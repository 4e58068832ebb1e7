"""One merged, time-ordered history of a work order: steps, attachments, comments, audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import WorkOrder


@dataclass
class Entry:
    at: datetime
    kind: str  # step | attachment | comment
    actor: str
    title: str
    body: str = ""
    fields: dict[str, Any] | None = None
    obj: Any = None


def timeline(order: WorkOrder) -> list[Entry]:
    entries: list[Entry] = []
    for s in order.steps.select_related("actor"):
        shown = order.readable_fields(s.fields, s.action)
        to = next((st["name"] for st in order.spec["states"] if st["code"] == s.to_state), s.to_state)
        entries.append(Entry(s.at, "step", str(s.actor or s.actor_label), f"{s.action_name} → {to}", s.comment, shown, s))
    for a in order.attachments.select_related("uploaded_by"):
        entries.append(
            Entry(a.at, "attachment", str(a.uploaded_by or ""), f"上传附件：{a.name}", f"{a.algorithm.upper()} {a.digest}", None, a)
        )
    for c in order.comments.select_related("author"):
        entries.append(Entry(c.at, "comment", str(c.author or ""), "评论", c.text, None, c))
    order_kind = {"step": 0, "attachment": 1, "comment": 2}
    return sorted(entries, key=lambda e: (e.at, order_kind[e.kind]))
