"""The one place that decides what a sensitive value looks like when it leaves the server.

Every output path asks a ``Masker`` bound to the user: list cells, detail pages, change history,
Excel exports (``web.views``, ``web.export``, ``web.history``), the REST API (``api.viewsets``)
and the bespoke pages that show record contents (``Masker.data``).  Which fields are masked and
how comes from the policy an app above registers (the data catalog's 敏感 fields, through the
approvals app); the framework names no domain app.

A model says where its fields are catalogued:

- ``catalog_dataset = "subject"``: its fields are the fields of that dataset (``Subject.legal_representative``
  is ``subject.legal_representative``);
- ``catalog_dataset_at = "record_type__code"`` and ``catalog_json_fields = ("data",)``: the keys of
  its JSON field ``data`` are the fields of the dataset named by the object's record type.

A masked value is a ``Masked``: a string holding only the masked text (so an export or the API
can never carry the clear value by accident), which on a page draws a 查看明文 control for users
the policy lets reveal.  Revealing goes through ``reveal`` (a reason, one access event).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

REVEAL_ACTION = "reveal"  # the access event of a revealed value (查看明文)


@dataclass(frozen=True)
class Policy:
    """What an app above tells the framework: which catalogued fields are masked and who may reveal.

    ``fields()`` maps ``(dataset, field)`` to a masking kind; ``mask(kind, value)`` masks one value;
    ``may_reveal(user)`` says whether the user may ask for clear values (with a reason each time).
    """

    fields: Callable[[], Mapping[tuple[str, str], str]]
    mask: Callable[[str, Any], str]
    may_reveal: Callable[[Any], bool]


_POLICY: list[Policy] = []


def register_policy(policy: Policy) -> Policy:
    _POLICY[:] = [policy]
    return policy


class Masked(str):
    """The masked text of a value; ``ref`` names the value for the reveal control (type, id, field)."""

    ref: tuple[str, int, str] | None = None
    label: str = ""

    def __new__(cls, text: str, ref: tuple[str, int, str] | None = None, label: str = "") -> Masked:
        obj = super().__new__(cls, text)
        obj.ref = ref
        obj.label = label
        return obj

    def __html__(self) -> str:
        if self.ref is None:
            return f'<span class="masked-value">{escape(str(self))}</span>'
        slug, pk, field = self.ref
        return render_to_string(
            "web/_masked.html",
            {"text": str(self), "url": reverse("web:reveal", args=[slug, pk]), "field": field, "label": self.label},
        )


class Masker:
    """Masking for one user: built once per page, export or API response."""

    def __init__(self, user: Any = None, *, controls: bool = True) -> None:
        policy = _POLICY[0] if _POLICY else None
        self.policy = policy
        self.fields: Mapping[tuple[str, str], str] = policy.fields() if policy is not None else {}
        # Reveal controls only on pages, only for users the policy lets reveal.
        self.controls = controls and user is not None and policy is not None and policy.may_reveal(user)

    @staticmethod
    def dataset(obj: Any) -> str | None:
        """The catalog dataset of ``obj``'s fields; a model class (an audit event of a deleted row) has
        only a constant one."""
        model = obj if isinstance(obj, type) else type(obj)
        constant = getattr(model, "catalog_dataset", None)
        if constant:
            return str(constant)
        path = getattr(model, "catalog_dataset_at", None)
        if not path or isinstance(obj, type):
            return None
        for part in path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return str(obj)

    def kind(self, obj: Any, name: str) -> str | None:
        dataset = self.dataset(obj) if self.fields else None
        return self.fields.get((dataset, name)) if dataset is not None else None

    def _masked(self, obj: Any, field: str, kind: str, value: Any, label: str = "") -> Masked:
        assert self.policy is not None
        ref = None
        if self.controls and isinstance(obj, models.Model):
            from .registry import for_model

            otype = for_model(type(obj))
            ref = (otype.slug, obj.pk, field) if otype is not None else None
        return Masked(self.policy.mask(kind, value), ref, label)

    def plain(self, obj: Any, name: str, value: Any) -> Any:
        """As ``value`` but never with a control: change history and audit events."""
        if value in (None, "") or not self.fields or isinstance(value, Masked):
            return value
        model = obj if isinstance(obj, type) else type(obj)
        if isinstance(value, dict) and name in getattr(model, "catalog_json_fields", ()):
            dataset = self.dataset(obj) or ""
            kinds = {k: self.fields.get((dataset, k)) for k in value}
            return {k: self._text(kind, v) if (kind := kinds[k]) is not None and v not in (None, "") else v for k, v in value.items()}
        kind = self.kind(obj, name)
        return self._text(kind, value) if kind is not None else value

    def _text(self, kind: str, value: Any) -> Masked:
        assert self.policy is not None
        return Masked(self.policy.mask(kind, value))

    def value(self, obj: Any, name: str, value: Any) -> Any:
        """``value`` of field ``name`` of ``obj``, masked when the catalog says so; a JSON field masks its keys."""
        if value in (None, "") or not self.fields or isinstance(value, Masked):
            return value
        if isinstance(value, dict) and name in getattr(type(obj), "catalog_json_fields", ()):
            return self.data(obj, name, value)
        kind = self.kind(obj, name)
        return self._masked(obj, name, kind, value) if kind is not None else value

    def data(self, obj: Any, name: str, data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The JSON field ``name`` of ``obj`` with each catalogued sensitive key masked."""
        dataset = self.dataset(obj) if self.fields else None
        if dataset is None:
            return dict(data)
        out = {}
        for key, v in data.items():
            kind = self.fields.get((dataset, key))
            masked = kind is not None and v not in (None, "")
            out[key] = self._masked(obj, f"{name}.{key}", kind, v, (labels or {}).get(key, "")) if masked else v  # type: ignore[arg-type]
        return out

    def at(self, obj: Any, path: str, value: Any) -> Any:
        """``value`` read at ``a__b__c`` from ``obj`` (a list column), masked as a field of the object that holds it."""
        if not self.fields:
            return value
        parts = path.split("__")
        for part in parts[:-1]:
            obj = getattr(obj, part, None)
            if obj is None:
                return value
        return self.value(obj, parts[-1], value)

    def clear(self, obj: Any, field: str) -> tuple[str, Any] | None:
        """The clear value of a masked ``field`` (``name`` or ``json.key``) of ``obj`` with its label, or
        ``None`` when the catalog does not mask it (nothing to reveal)."""
        name, _, key = field.partition(".")
        if key:
            if name not in getattr(type(obj), "catalog_json_fields", ()):
                return None
            dataset = self.dataset(obj)
            data = getattr(obj, name, None) or {}
            if (dataset, key) not in self.fields or key not in data:
                return None
            return key, data[key]
        if self.kind(obj, name) is None:
            return None
        try:
            label = str(obj._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - a property has no field
            label = name
        return label, getattr(obj, name, None)
