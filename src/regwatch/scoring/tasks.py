"""Event-driven re-grading: new records → re-score those subjects with the published version.

Writes come in bursts (a form saved twice, a push API called per record, a work order closing
several records), so ``records_added`` does not start a run per write: it adds the subjects to
``PendingRegrade`` and the first addition schedules ``regrade_pending`` after
``REGWATCH_REGRADE_DELAY`` seconds, which takes every pending subject into one incremental run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from regwatch.audit.context import system
from regwatch.subjects.models import Subject

log = logging.getLogger(__name__)


def delay() -> float:
    return float(getattr(settings, "REGWATCH_REGRADE_DELAY", 10))


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


@db_task()
def version_action_job(job_id: int, version_id: int, action: str, user_id: int | None) -> None:
    """A dry-run or publish started on the model-version page, in the background with progress.

    A refusal found only now (the version changed since the page checked) fails the job with
    its Chinese message, shown on the progress card.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from regwatch.accounts.models import User
    from regwatch.audit.context import Actor, acting_as
    from regwatch.ops.models import Job
    from regwatch.ops.progress import track

    from . import lifecycle
    from .models import ModelVersion

    job = Job.objects.get(pk=job_id)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    version = ModelVersion.objects.select_related("model__scheme").get(pk=version_id)
    url = f"/model-versions/{version.pk}/"
    with (
        acting_as(Actor(get_user=lambda: user, label=user.get_username() if user else "system")),
        track(job.kind, job.title, job=job) as progress,
    ):
        try:
            if action == "dry_run":
                result = lifecycle.dry_run(version, user=user, progress=progress)
                progress.finish({"url": url, "link": "查看试算结果", "run": result["run"]}, "试算完成")
            else:
                run = lifecycle.publish(version, user, progress=progress)
                progress.finish({"url": f"/scoring-runs/{run.pk}/", "link": "查看评分批次", "run": run.pk}, "已发布并完成全量评分")
        except (ValidationError, PermissionDenied) as exc:
            progress.job.message = "；".join(getattr(exc, "messages", [str(exc)]))[:255]
            progress.fail(progress.job.message)


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


def queue_regrade(subject_ids: set[int], source: str = "") -> bool:
    """Add subjects to the pending set; returns True when this call scheduled the flush."""
    from .models import PendingRegrade

    with transaction.atomic():
        first = not PendingRegrade.objects.exists()
        PendingRegrade.objects.bulk_create(
            [PendingRegrade(subject_id=sid, source=source[:40]) for sid in sorted(subject_ids)], ignore_conflicts=True
        )
    if first:
        regrade_pending.schedule(delay=delay())
    return first


@db_task()
def regrade_pending() -> list[int]:
    """Re-grade every pending subject in one incremental run per published model."""
    from .models import PendingRegrade

    with transaction.atomic():
        pending = list(PendingRegrade.objects.select_for_update().values_list("subject_id", "source"))
        PendingRegrade.objects.filter(subject_id__in=[sid for sid, _ in pending]).delete()
    try:
        if not pending:
            return []
        source = "+".join(sorted({src for _, src in pending if src})) or "event"
        return regrade.call_local(sorted({sid for sid, _ in pending}), source)
    finally:
        # subjects added while this flush was taking its set found the set non-empty and scheduled nothing
        if PendingRegrade.objects.exists():
            regrade_pending.schedule(delay=delay())


@on_startup()
def worker_started() -> None:
    """Runs a killed process left "running" are failed; subjects still pending get their flush."""
    from .models import PendingRegrade
    from .runs import fail_stale_runs

    fail_stale_runs()
    if PendingRegrade.objects.exists():
        regrade_pending.schedule(delay=delay())


def on_records_added(
    sender: Any, subject_ids: set[int], record_type_codes: set[str] | None = None, source: str = "", **kwargs: Any
) -> None:
    if not subject_ids:
        return
    try:
        queue_regrade(set(subject_ids), source)
    except Exception:  # re-grading must never break the writer that announced the records
        log.exception("queueing %s subjects for re-grading failed", len(subject_ids))


def on_subject_changed(sender: Any, subject_id: int, valid_from: Any = None, **kwargs: Any) -> None:
    """A status or attribute change in force today re-grades the subject (a future-dated one waits for its day's runs)."""
    from django.utils import timezone

    if valid_from is not None and valid_from > timezone.localdate():
        return
    try:
        queue_regrade({subject_id}, "subject")
    except Exception:
        log.exception("queueing subject %s for re-grading failed", subject_id)
