"""Signals other apps send or receive about subjects' records.

``records_added``: sent after records were stored and committed — by the generic record
form/API (a post_save receiver below), by intake after each batch, by work orders when a
closure writes a record back.  Receivers (re-grading, warning rules) get
``subject_ids`` (a set of Subject pks), ``record_type_codes`` (a set of codes) and
``source`` (a short label such as "intake", "ui", "workorder").  Bulk writers send it
themselves, once per committed batch, because ``bulk_create`` fires no model signals.

``subject_changed``: sent after a change to a subject's graded fields (kind, status, industry,
founding date, attributes) was committed — a new ``SubjectVersion``.  kwargs: ``subject_id``
(int), ``valid_from`` (date the change took effect).  Scoring re-grades the subject.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

records_added = Signal()
subject_changed = Signal()


def announce(subject_ids: set[int], record_type_codes: set[str], source: str) -> None:
    """Send ``records_added`` once the surrounding transaction commits (immediately if none)."""
    if subject_ids:
        transaction.on_commit(
            lambda: records_added.send(sender=None, subject_ids=set(subject_ids), record_type_codes=set(record_type_codes), source=source)
        )


@receiver(post_save, sender="subjects.Record", dispatch_uid="regwatch.subjects.record_saved")
def _record_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if (created or getattr(instance, "_corrected", False)) and not raw:
        instance._corrected = False
        announce({instance.subject_id}, {instance.record_type.code}, "record")
