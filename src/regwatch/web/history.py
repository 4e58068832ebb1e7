"""Change history as an official reads it: field names in Chinese, choice labels, 是/否, names not ids,
structured content (a work order's form data, a rule's parameters) as a table of labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .masking import Masker
from .readable import Identifier, Readable, code_label
from .registry import DISPLAYS, is_identifier, percent, shown


@dataclass
class Change:
    label: str
    old: Any
    new: Any


def _field(model: type[models.Model], key: str) -> models.Field[Any, Any] | None:
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)  # type: ignore[return-value]
        except FieldDoesNotExist:
            continue
    return None


def _value(field: models.Field[Any, Any] | None, value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if field is not None and field.is_relation and field.related_model is not None and not isinstance(value, list | dict):
        target = field.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(target) if target is not None else "—"
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        try:
            return shown(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if field is not None and field.name in DISPLAYS and DISPLAYS[field.name].show(value) is not value:
        return DISPLAYS[field.name].show(value)  # a pack code as the pack's title, quality checks in words
    if isinstance(value, list | dict):
        return Readable(value)
    if field is not None and isinstance(value, str) and is_identifier(field.model, field.name):
        return Identifier(value)
    if field is not None and isinstance(value, int | float) and field.name in getattr(field.model, "percent_fields", ()):
        return percent(value)
    return shown(code_label(value))


LONG = 300  # characters: a structured value longer than this is summarised when it appears or goes


def _narrow(old: Any, new: Any) -> tuple[Any, Any]:
    """Structured content as what changed: two dicts keep only their differing keys; a long
    declaration that appears or goes (a scorecard on creation) is summarised, not dumped."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
        return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}
    for a, b in ((old, new), (new, old)):
        if a in (None, "", [], {}) and isinstance(b, dict | list) and len(str(b)) > LONG:
            summary = f"（共 {len(b)} 项，见当前内容）"
            return (old, summary) if a is old else (summary, new)
    return old, new


def readable_changes(
    obj: models.Model | type[models.Model], changes: list[tuple[str, Any, Any]], masker: Masker | None = None
) -> list[Change]:
    """A model may name its own codes (a work order's state) with ``display_value(key, value)``.

    ``obj`` is the object, or only its model when the object is gone (an audit event of a deletion).
    Sensitive values are masked as everywhere else (``web.masking``), without a reveal control.
    """
    masker = masker or Masker()
    model = obj if isinstance(obj, type) else type(obj)
    own = getattr(obj, "display_value", None) if not isinstance(obj, type) else None
    rows = []
    for key, old, new in changes:
        if key in ("id", "pk"):
            continue
        field = _field(model, key)
        old, new = _narrow(masker.plain(obj, key, old), masker.plain(obj, key, new))

        def value(v: Any, field: Any = field, key: str = key) -> Any:
            named = own(key, v) if own is not None else None
            if isinstance(named, dict | list):
                return Readable(named)
            return named if named is not None else _value(field, v)

        before, after = value(old), value(new)
        if before != after:  # None → "" is no change to a reader
            rows.append(Change(str(field.verbose_name) if field is not None else key, before, after))
    return rows


def readable_history(obj: models.Model, events: Any, masker: Masker | None = None) -> list[Any]:
    out = []
    masker = masker or Masker()
    for event in events:
        event.readable = readable_changes(obj, event.changes, masker)
        out.append(event)
    return out
