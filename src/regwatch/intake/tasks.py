"""Background intake of uploaded files (huey; immediate in tests)."""

from __future__ import annotations

from pathlib import Path

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup


@db_task()
def ingest_uploaded(batch_id: int, path: str, target: str | None = None) -> None:
    from regwatch.audit.context import Actor, acting_as, current_actor

    from .models import Batch
    from .pipeline import ingest_file

    batch = Batch.objects.select_related("source", "created_by").get(pk=batch_id)
    uploader = batch.created_by
    # The worker acts as the user who uploaded the file: every subject and record the batch
    # writes, and its bulk event, are theirs in the audit trail, not "system"'s.
    actor = Actor(get_user=lambda: uploader, label=uploader.get_username() if uploader else "system", ip=current_actor().ip)
    try:
        if batch.status != Batch.Status.RUNNING:
            return  # already ended (failed as never started while the worker was down)
        with acting_as(actor):
            ingest_file(batch.source, path, target=target, user=uploader, batch=batch)
    finally:
        Path(path).unlink(missing_ok=True)


@db_periodic_task(crontab(minute="*/5"))
def pull_due_sources() -> int:
    """Every five minutes: pull each HTTP/SQL source whose ``every_minutes`` has passed."""
    from .connectors import due_sources, pull

    sources = due_sources()
    for source in sources:
        pull(source)
    return len(sources)


@db_periodic_task(crontab(minute="*/5"))
def fail_stale_batches() -> list[int]:
    """Batches a dead worker left "running" end as failed, with the reason (see pipeline.fail_stale_batches)."""
    from .pipeline import fail_stale_batches as fail

    return fail()


@on_startup()
def worker_started() -> None:
    from .pipeline import fail_stale_batches as fail

    fail()
