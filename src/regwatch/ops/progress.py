"""Progress of long operations, recorded in ``ops.Job`` (for the UI) and drawn on stderr (for the CLI).

    with track("ingest", f"导入 {name}", total=rows, user=user, echo=True) as job:
        for batch in batches:
            ...
            job.advance(len(batch))
        job.finish(result={"accepted": n})

Writes are throttled (at most every half second) and use ``QuerySet.update`` so they cost
one small statement.  Call ``advance`` outside long transactions: a progress row written
inside an open transaction is invisible to the UI until it commits.
"""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from tqdm import tqdm

from .models import Job

THROTTLE_SECONDS = 0.5


class Progress:
    def __init__(self, job: Job, echo: bool) -> None:
        self.job = job
        self._last_write = 0.0
        self._bar = (
            tqdm(total=job.total, desc=job.title, unit=job.unit, file=sys.stderr, dynamic_ncols=True, mininterval=THROTTLE_SECONDS)
            if echo
            else None
        )

    def _save(self, force: bool = False, **fields: Any) -> None:
        now = time.monotonic()
        if force or now - self._last_write >= THROTTLE_SECONDS:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, message=self.job.message, updated_at=timezone.now(), **fields
            )
            self._last_write = now

    def set_total(self, total: int) -> None:
        self.job.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()
        self._save(force=True)

    def advance(self, n: int = 1, message: str | None = None) -> None:
        self.job.done += n
        if message is not None:
            self.job.message = message[:255]
        if self._bar is not None:
            self._bar.update(n)
        self._save()

    def note(self, message: str) -> None:
        self.advance(0, message)

    def finish(self, result: dict[str, Any] | None = None, message: str = "") -> None:
        self.job.result = result or self.job.result
        self.job.status = Job.Status.SUCCEEDED
        self.job.message = message or self.job.message
        self._save(force=True, status=Job.Status.SUCCEEDED, result=self.job.result, finished_at=timezone.now())

    def fail(self, error: str) -> None:
        self.job.status = Job.Status.FAILED
        self._save(force=True, status=Job.Status.FAILED, error=error[:10000], finished_at=timezone.now())

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def ref_of(obj: Any) -> str:
    """How a job names the object it works on."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def start_job(kind: str, title: str, total: int | None = None, user: Any = None, unit: str = "行", ref: Any = None) -> Job:
    """A pending job; pass ``ref`` (a model instance) to show its progress on that object's page."""
    user = user if getattr(user, "is_authenticated", False) else None
    return Job.objects.create(kind=kind, title=title[:200], total=total, unit=unit, created_by=user, ref=ref_of(ref) if ref else "")


def running_job(obj: Any) -> Job | None:
    """The pending or running job on ``obj``, if any (to refuse starting a second one)."""
    return Job.objects.filter(ref=ref_of(obj), status__in=[Job.Status.PENDING, Job.Status.RUNNING]).first()


@contextlib.contextmanager
def track(
    kind: str, title: str, total: int | None = None, user: Any = None, echo: bool = False, unit: str = "行", job: Job | None = None
) -> Iterator[Progress]:
    """Run a block as a job; an exception marks it failed (and propagates), a normal exit marks it done."""
    job = job or start_job(kind, title, total, user, unit)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    progress = Progress(job, echo)
    try:
        yield progress
    except BaseException as exc:
        progress.fail(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
        raise
    else:
        if job.status == Job.Status.RUNNING:
            progress.finish()
    finally:
        progress.close()
