"""One merged, time-ordered history of a work order: steps, attachments, comments, audit events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from regwatch.accounts.models import User
from regwatch.core.models import Organization

from .models import WorkOrder, WorkOrderStep


@dataclass
class Entry:
    at: datetime
    kind: str  # step | attachment | comment
    actor: str
    title: str
    body: str = ""
    fields: dict[str, Any] | None = None
    obj: Any = None


def _readable_fields(order: WorkOrder, steps: list[WorkOrderStep]) -> dict[int, dict[str, Any]]:
    """Each step's fields as its own form labelled them (``WorkOrder.field_spec``), choices by label,
    organisations and people by name, looked up once for the whole timeline rather than per value."""
    specs = {(s.pk, k): order.field_spec(k, s.action) for s in steps for k in s.fields if k != "source"}
    refs: dict[str, set[int]] = {"org": set(), "user": set()}
    for s in steps:
        for k, v in s.fields.items():
            f = specs.get((s.pk, k))
            if f and f["type"] in refs and isinstance(v, int):
                refs[f["type"]].add(v)
    names = {
        "org": dict(Organization.objects.filter(pk__in=refs["org"]).values_list("pk", "name")),
        "user": {u.pk: str(u) for u in User.objects.filter(pk__in=refs["user"])},
    }
    out: dict[int, dict[str, Any]] = {}
    for s in steps:
        shown: dict[str, Any] = {}
        for k, v in s.fields.items():
            if k == "source":
                continue
            f = specs.get((s.pk, k))
            if f is None:
                shown[k] = v
            elif f["type"] in names:
                shown[f["label"]] = names[f["type"]].get(v, "（已删除）")
            else:
                shown[f["label"]] = order.field_value(k, v, s.action) if f["type"] == "choice" else v
        out[s.pk] = shown
    return out


def timeline(order: WorkOrder) -> list[Entry]:
    entries: list[Entry] = []
    steps = list(order.steps.select_related("actor"))
    readable = _readable_fields(order, steps)
    for s in steps:
        shown = readable[s.pk]
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
