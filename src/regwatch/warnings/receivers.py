"""Signal receivers: records, grades, scoring runs and list tags feed the rules."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from regwatch.scoring.signals import grade_changed, run_published
from regwatch.subjects.signals import records_added

from . import rules, tasks


@receiver(records_added, dispatch_uid="regwatch.warnings.records_added")
def _records_added(sender: Any, subject_ids: set[int], record_type_codes: set[str], source: str = "", **kwargs: Any) -> None:
    tasks.evaluate_records(sorted(subject_ids), sorted(record_type_codes))


@receiver(grade_changed, dispatch_uid="regwatch.warnings.grade_changed")
def _grade_changed(sender: Any, subject_id: int, old_level: str | None, new_level: str, direction: str, **kwargs: Any) -> None:
    rules.on_grade_changed(subject_id, old_level, new_level, direction, **kwargs)


@receiver(run_published, dispatch_uid="regwatch.warnings.run_published")
def _run_published(sender: Any, run_id: int, **kwargs: Any) -> None:
    tasks.evaluate_run(run_id)


@receiver(post_save, sender="subjects.SubjectTag", dispatch_uid="regwatch.warnings.tag_saved")
def _tag_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        subject_id = instance.subject_id
        transaction.on_commit(lambda: tasks.evaluate_list_hits([subject_id]))
