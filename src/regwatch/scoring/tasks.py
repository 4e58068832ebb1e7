"""Event-driven re-grading: new records → re-score those subjects with the published version."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from regwatch.audit.context import system
from regwatch.subjects.models import Subject

log = logging.getLogger(__name__)


@db_task()
def regrade(subject_ids: list[int], source: str = "") -> list[int]:

    from .models import ModelVersion
    from .runs import run_scoring

    runs = []
    with system(f"regrade:{source}"):
        packs = set(Subject.objects.filter(pk__in=subject_ids).values_list("pack", flat=True))
        for version in ModelVersion.objects.filter(status=ModelVersion.Status.PUBLISHED, model__pack__in=packs).select_related(
            "model__scheme"
        ):
            ids = list(Subject.objects.filter(pk__in=subject_ids, pack=version.model.pack).values_list("pk", flat=True))
            runs.append(run_scoring(version, subject_ids=ids, trigger=f"event:{source}"[:40]).pk)
    return runs


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def monthly_full_run() -> list[int]:
    """全量企业每月至少评分一次: every published model scores all its subjects on the 1st, 02:00."""
    from .models import ModelVersion
    from .runs import run_scoring

    with system("monthly-scoring"):
        return [
            run_scoring(v, trigger="schedule").pk
            for v in ModelVersion.objects.filter(status=ModelVersion.Status.PUBLISHED).select_related("model__scheme")
        ]


def on_records_added(
    sender: Any, subject_ids: set[int], record_type_codes: set[str] | None = None, source: str = "", **kwargs: Any
) -> None:
    if not subject_ids:
        return
    try:
        regrade(sorted(subject_ids), source)
    except Exception:  # re-grading must never break the writer that announced the records
        log.exception("re-grading %s subjects failed", len(subject_ids))
