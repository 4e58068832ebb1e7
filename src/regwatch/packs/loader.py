"""Loading a pack's manifest into the database: idempotent and versioned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction

from regwatch.core.models import Dictionary, DictionaryItem
from regwatch.core.regions import load_gbt2260, read_csv
from regwatch.subjects.models import RecordType, SubjectKind, Tag

from .manifest import DictionarySpec, PackManifest, pack_dir, read_manifest
from .models import PackInstall
from .sections import ordered
from .tracking import Conflict, loading, sync


@dataclass
class LoadResult:
    pack: str
    version: str
    changed: bool
    created: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changed:
            return f"业务包 {self.pack} {self.version} 已是最新，未做改动"
        parts = "，".join(f"{k} {v}" for k, v in self.created.items() if v)
        text = f"业务包 {self.pack} {self.version} 已加载" + (f"（新增或更新：{parts}）" if parts else "")
        kept = sum(not c.overwritten for c in self.conflicts)
        if kept:
            text += f"；{kept} 项本地修改与业务包冲突，已保留本地版本（使用 --force 以业务包为准）"
        if len(self.conflicts) > kept:
            text += f"；{len(self.conflicts) - kept} 项本地修改已被业务包覆盖（已记入审计日志）"
        return text

    def conflict_rows(self) -> list[tuple[str, str, str, str, str, str]]:
        """(类型, 对象, 内容, 本地, 业务包, 处理) for the CLI table."""
        rows = []
        for c in self.conflicts:
            outcome = "以业务包覆盖" if c.overwritten else "保留本地"
            for what, local, pack in c.changes or [("", "", "")]:
                rows.append((c.kind, c.name, what, local, pack, outcome))
        return rows


def _dictionary_items(spec: DictionarySpec) -> list[tuple[str, str, str]]:
    if spec.items_csv:
        return [(r["code"], r["name"], r.get("parent") or "") for r in read_csv(spec.items_csv)]
    return [(i.code, i.name, i.parent) for i in spec.items]


def upsert_dictionary(spec: DictionarySpec) -> bool:
    """Create a new version only when the items or the name changed; returns whether it did."""
    items = _dictionary_items(spec)
    current = Dictionary.objects.filter(code=spec.code, is_current=True).first()
    if current is not None:
        old = [(i.code, i.name, i.parent_code) for i in current.items.order_by("sort_order", "code")]
        if old == items and current.name == spec.name:
            return False
        Dictionary.objects.filter(pk=current.pk).update(is_current=False)
    dictionary = Dictionary.objects.create(
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        source=spec.source,
        description=spec.description,
        version=(current.version + 1) if current else 1,
        is_current=True,
    )
    DictionaryItem.objects.bulk_create(
        DictionaryItem(dictionary=dictionary, code=c, name=n, parent_code=p, sort_order=i) for i, (c, n, p) in enumerate(items)
    )
    return True


def _upsert(model: type, key: dict, values: dict) -> bool:
    return sync(model, key, values) == "created"


def _section_files(name: str) -> list[tuple[Any, str]]:
    """(section, file text) for every registered section the pack has."""
    folder = pack_dir(name)
    return [(s, (folder / s.filename).read_text(encoding="utf-8")) for s in ordered() if (folder / s.filename).is_file()]


def load_pack(name: str, manifest: PackManifest | None = None, force: bool = False) -> LoadResult:
    """Load a pack; objects edited locally are kept and reported as conflicts unless ``force``.

    An unchanged pack is a no-op, unless the last load kept local edits (they are reported again)
    or ``force`` asks to overwrite them.
    """
    manifest = manifest or read_manifest(name)
    sections = _section_files(manifest.name)
    digest = hashlib.sha256(manifest.checksum().encode())
    for section, text in sections:
        digest.update(section.filename.encode() + b"\0" + text.encode())
    checksum = digest.hexdigest()
    installed = PackInstall.objects.filter(name=manifest.name).first()
    if installed is not None and installed.checksum == checksum and not installed.conflicts and not force:
        return LoadResult(manifest.name, manifest.version, changed=False)
    counts = {"区划": 0, "主体类型": 0, "记录类型": 0, "字典版本": 0, "标签": 0}
    with loading(manifest.name, force) as session, transaction.atomic():
        counts["区划"] = load_gbt2260()
        for k in manifest.subject_kinds:
            counts["主体类型"] += _upsert(
                SubjectKind,
                {"code": k.code},
                {"name": k.name, "pack": manifest.name, "description": k.description, "attributes": [a.model_dump() for a in k.attributes]},
            )
        for rt in manifest.record_types:
            counts["记录类型"] += _upsert(
                RecordType,
                {"code": rt.code},
                {
                    "name": rt.name,
                    "pack": manifest.name,
                    "category": rt.category,
                    "description": rt.description,
                    "fields": [f.model_dump() for f in rt.fields],
                },
            )
        record_type_dict = DictionarySpec(
            code=f"{manifest.name}.record_type",
            name=f"{manifest.title}记录类型",
            kind="record_type",
            source=manifest.name,
            items=[{"code": r.code, "name": r.name} for r in manifest.record_types],  # type: ignore[misc]
        )
        for spec in [*manifest.dictionaries, record_type_dict]:
            counts["字典版本"] += upsert_dictionary(spec)
        for t in manifest.tags:
            counts["标签"] += _upsert(
                Tag,
                {"code": t.code},
                {"name": t.name, "category": t.category, "color": t.color, "pack": manifest.name, "description": t.description},
            )
        for section, text in sections:
            counts.update(section.loader(manifest.name, yaml.safe_load(text)))
        PackInstall.objects.update_or_create(
            name=manifest.name,
            defaults={
                "title": manifest.title,
                "version": manifest.version,
                "checksum": checksum,
                "manifest": manifest.model_dump(mode="json"),
                "conflicts": [c.as_dict() for c in session.conflicts if not c.overwritten],
            },
        )
    return LoadResult(manifest.name, manifest.version, changed=True, created=counts, conflicts=session.conflicts)
