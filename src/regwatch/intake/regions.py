"""The region a batch, its quarantined rows and its quality measurements belong to (for data scope).

Rule, in one place so the pipeline and the data migration agree:

- a batch's region is the smallest region that holds every subject its rows resolved to (records,
  merges, subject registrations) and the uploader's organisation.  A county administrator's file
  of county subjects stays in the county; a city-wide file is the city's.  With neither known the
  region stays empty and only all-region staff see the batch;
- a quarantined row takes its subject's region when the row is tied to one (a fixed row's record,
  a merge taken back), otherwise its batch's: a row that matched nobody belongs to whoever sent it;
- a quality measurement is its batch's (set by ``quality.services.measure_batch``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery

from regwatch.core.models import Region


def common_path(paths: Iterable[str]) -> str | None:
    """The longest region path (``/330000/330100/``) that starts every one of ``paths``."""
    parts: list[str] | None = None
    for path in paths:
        segs = [s for s in path.split("/") if s]
        if parts is None:
            parts = segs
            continue
        n = 0
        while n < min(len(parts), len(segs)) and parts[n] == segs[n]:
            n += 1
        parts = parts[:n]
    if not parts:
        return None
    return "/" + "/".join(parts) + "/"


def batch_region(batch: Any) -> Region | None:
    from .models import MergeLog, RecordLineage, SubjectLineage

    paths = set(RecordLineage.objects.filter(batch=batch).values_list("record__subject__region__path", flat=True).distinct())
    paths |= set(SubjectLineage.objects.filter(batch=batch).values_list("subject__region__path", flat=True).distinct())
    paths |= set(MergeLog.objects.filter(batch=batch).values_list("subject__region__path", flat=True).distinct())
    org = getattr(batch.created_by, "organization", None) if batch.created_by_id else None
    if org is not None:
        paths.add(org.region.path)
    path = common_path(p for p in paths if p)
    return Region.objects.filter(path=path).first() if path else None


def assign_regions(batch: Any) -> None:
    """Set the region of ``batch`` and its quarantined rows (idempotent).

    Run before the quality gate, which gives each measurement its batch's region.
    """
    from regwatch.subjects.models import Record

    from .models import Batch, QuarantinedRow

    batch.region = batch_region(batch)
    Batch.objects.filter(pk=batch.pk).update(region=batch.region)
    rows = QuarantinedRow.objects.filter(batch=batch)
    subject_region = Record.objects.filter(pk=OuterRef("record_id")).values("subject__region")[:1]
    rows.filter(record__isnull=False).update(region=Subquery(subject_region))
    rows.filter(record__isnull=True).update(region=batch.region)
