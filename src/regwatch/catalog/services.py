"""Keeping the catalog in step with the packs' record types and the current intake mappings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db import transaction

from regwatch.core.masking import MaskKind, guess_kind
from regwatch.intake.models import FieldMapping
from regwatch.subjects.models import RecordType

from .models import Dataset, DatasetField, Sensitivity

SUBJECT_DATASET = "subject"
SUBJECT_FIELDS: list[dict[str, Any]] = [
    {"name": "uscc", "label": "统一社会信用代码", "required": True},
    {"name": "name", "label": "主体名称", "required": True},
    {"name": "region_code", "label": "区划代码", "required": True},
    {"name": "address", "label": "经营地址"},
    {"name": "legal_representative", "label": "法定代表人"},
    {"name": "industry_code", "label": "行业代码", "type": "code"},
    {"name": "established_on", "label": "成立日期", "type": "date"},
]
# Personal data a pack's field names reveal, and how each is masked (docs/security.md, Masking).
SENSITIVE_FIELDS = {
    "legal_representative": MaskKind.NAME,
    "inspector": MaskKind.NAME,
    "phone": MaskKind.PHONE,
    "id_card": MaskKind.ID_CARD,
    "contact": MaskKind.PARTIAL,
}
SENSITIVE_NAMES = set(SENSITIVE_FIELDS)


def sync_catalog(pack: str | None = None) -> int:
    """Create or refresh datasets and fields; returns how many datasets were new."""

    mappings = FieldMapping.objects.filter(is_current=True).select_related("source")
    columns: dict[tuple[str, str], set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    freq: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for m in mappings:
        owners[m.target].add(m.source.owner)
        freq[m.target].add(m.source.frequency)
        names[m.target].add(m.source.name)
        for f in m.fields:
            kind, _, field = f["target"].partition(".")
            if f.get("source") and (kind == "data" or (kind == "subject" and m.target == SUBJECT_DATASET)):
                columns[(m.target, field)].add(f["source"])
    specs: list[tuple[str, str, str, str, str, list[dict[str, Any]]]] = [
        (SUBJECT_DATASET, "主体登记", "基础信息", "市场主体的登记信息（以统一社会信用代码为主键）", pack or "", SUBJECT_FIELDS)
    ]
    types = RecordType.objects.all()
    if pack:
        types = types.filter(pack=pack)
    specs += [(rt.code, rt.name, rt.category, rt.description or f"{rt.name}记录", rt.pack, rt.fields) for rt in types]
    created = 0
    for code, name, category, definition, dpack, fields in specs:
        values = {
            "name": name,
            "category": category,
            "pack": dpack,
            "owner": "、".join(sorted(o for o in owners[code] if o)),
            "frequency": "、".join(sorted(x for x in freq[code] if x)),
            "sources": "、".join(sorted(names[code]))[:255],
        }
        ds, new = Dataset.objects.get_or_create(code=code, defaults={**values, "definition": definition})
        created += int(new)
        if not new:
            changed = {k: v for k, v in values.items() if getattr(ds, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(ds, k, v)
                ds.save()
        for f in fields:
            # Sensitivity and masking are set when a field first appears; a data administrator's
            # later choice (a field made 公开) survives every re-sync.
            DatasetField.objects.update_or_create(
                dataset=ds,
                name=f["name"],
                defaults={
                    "label": f.get("label") or f["name"],
                    "type": f.get("type") or "text",
                    "dictionary": f.get("dictionary") or "",
                    "required": bool(f.get("required")),
                    "source_columns": "、".join(sorted(columns[(code, f["name"])]))[:255],
                },
                create_defaults={
                    "label": f.get("label") or f["name"],
                    "type": f.get("type") or "text",
                    "dictionary": f.get("dictionary") or "",
                    "required": bool(f.get("required")),
                    "source_columns": "、".join(sorted(columns[(code, f["name"])]))[:255],
                    "sensitivity": Sensitivity.SENSITIVE if f["name"] in SENSITIVE_FIELDS else Sensitivity.INTERNAL,
                    "masking": SENSITIVE_FIELDS.get(f["name"], ""),
                },
            )
    return created


MASKING_VERSION_KEY = "catalog:masking:version"
_masking: dict[str, Any] = {"version": None, "fields": {}}


def masked_fields() -> dict[tuple[str, str], str]:
    """``(dataset code, field name) → masking kind`` of every field the catalog marks 敏感.

    Kept per process; a change to a catalog field bumps a version in the shared cache when its
    transaction commits, so every process reloads on its next look-up (one cache read a page).
    """
    version = cache.get(MASKING_VERSION_KEY, 0)
    if _masking["version"] != version:
        rows = DatasetField.objects.filter(sensitivity=Sensitivity.SENSITIVE).values_list("dataset__code", "name", "masking")
        _masking.update(version=version, fields={(ds, name): kind or guess_kind(name) for ds, name, kind in rows})
    return _masking["fields"]  # type: ignore[no-any-return]


def catalog_changed() -> None:
    """Every process reloads ``masked_fields`` after the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(MASKING_VERSION_KEY)
        except ValueError:
            cache.set(MASKING_VERSION_KEY, 1, None)
        _masking["version"] = None

    _masking["version"] = None  # this process at once, the others after the commit
    transaction.on_commit(bump)
