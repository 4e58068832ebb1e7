from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import deliver


@db_task()
def deliver_outbox() -> int:
    return deliver()


@db_periodic_task(crontab(minute="*/5"))
def retry_outbox() -> int:
    return deliver()
