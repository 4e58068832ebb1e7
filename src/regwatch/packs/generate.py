"""Writing a pack generator's synthetic subjects into the database in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone

from regwatch.audit.context import system
from regwatch.audit.services import record_bulk
from regwatch.core.models import Region, RegionLevel
from regwatch.core.regions import ensure_subdivisions, load_gbt2260
from regwatch.subjects.models import Record, RecordType, Subject, SubjectIdentifier, SubjectKind, SubjectTag, SubjectVersion, Tag

from .loader import load_pack
from .manifest import load_generator, read_manifest
from .models import SyntheticTruth

BATCH = 1000


def demo_counties(city_codes: Iterable[str]) -> list[Region]:
    return list(Region.objects.filter(parent__code__in=list(city_codes), level=RegionLevel.COUNTY).select_related("parent"))


def demo_grids(city_codes: Iterable[str]) -> list[Region]:
    load_gbt2260()
    for county in demo_counties(city_codes):
        ensure_subdivisions(county)
    return list(
        Region.objects.filter(level=RegionLevel.GRID, parent__parent__parent__parent__code__in=list(city_codes))
        .select_related("parent__parent__parent__parent")
        .order_by("code")
    )


def _chunks(it: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(it, size)):
        yield chunk


def generate_pack_data(
    name: str, subjects: int, seed: int = 2026, today: dt.date | None = None, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    manifest = read_manifest(name)
    if not manifest.generator or not manifest.demo:
        raise ValueError(f"业务包 {name} 没有数据生成器")
    load_pack(name, manifest)
    generator = load_generator(manifest)
    grids = demo_grids(manifest.demo.regions)
    kinds = {k.code: k for k in SubjectKind.objects.filter(pack=name)}
    types = {t.code: t for t in RecordType.objects.filter(pack=name)}
    tags = {t.code: t for t in Tag.objects.all()}
    existing = _existing_keys(name)
    counts = {"subjects": 0, "records": 0, "skipped": 0}
    today = today or timezone.localdate()

    stream = generator(subjects=subjects, seed=seed, grids=grids, today=today, progress=progress)
    with system(f"generate:{name}"):
        for chunk in _chunks(iter(stream), BATCH):
            fresh = [g for g in chunk if _key(g) not in existing]
            counts["skipped"] += len(chunk) - len(fresh)
            if fresh:
                counts["records"] += _write(name, fresh, kinds, types, tags)
                counts["subjects"] += len(fresh)
        record_bulk(Subject, {"pack": name, "seed": seed, **counts})
    return counts


def _key(g: Any) -> tuple[str, str]:
    """What makes a generated subject the same as one already stored: its USCC, else its first identifier
    (subjects such as construction projects have no USCC)."""
    if g.fields.get("uscc"):
        return ("uscc", g.fields["uscc"])
    scheme, value, _ = g.identifiers[0]
    return (scheme, value)


def _existing_keys(pack: str) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = {
        ("uscc", u or "") for u in Subject.objects.filter(pack=pack).exclude(uscc=None).values_list("uscc", flat=True)
    }
    keys.update(SubjectIdentifier.objects.filter(subject__pack=pack).values_list("scheme", "value"))
    return keys


@transaction.atomic
def _write(pack: str, batch: list[Any], kinds: dict, types: dict[str, RecordType], tags: dict[str, Tag]) -> int:
    rows = [Subject(pack=pack, **{**g.fields, "kind": kinds[g.fields["kind"]]}) for g in batch]
    Subject.objects.bulk_create(rows)
    SubjectVersion.objects.bulk_create(SubjectVersion.of(s) for s in rows)  # bulk_create skips Subject.save's history
    SyntheticTruth.objects.bulk_create(SyntheticTruth(subject=s, latent_risk=g.latent_risk) for s, g in zip(rows, batch, strict=True))
    SubjectIdentifier.objects.bulk_create(
        SubjectIdentifier(subject=s, scheme=scheme, value=value, valid_until=until)
        for s, g in zip(rows, batch, strict=True)
        for scheme, value, until in g.identifiers
    )
    SubjectTag.objects.bulk_create(
        SubjectTag(subject=s, tag=tags[code], source="generator") for s, g in zip(rows, batch, strict=True) for code in g.tags
    )
    records = [
        Record(subject=s, **{**rec, "record_type": types[rec["record_type"]]})
        for s, g in zip(rows, batch, strict=True)
        for rec in g.records
    ]
    Record.objects.bulk_create(records, batch_size=5000)
    return len(records)
