"""Outbox delivery: right after a notification commits, and every minute for items whose back-off has passed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import deliver


@db_task()
def deliver_outbox() -> int:
    return deliver()


@db_periodic_task(crontab(minute="*"))
def retry_outbox() -> int:
    return deliver()
