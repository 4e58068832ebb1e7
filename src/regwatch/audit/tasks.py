"""The audit chain's background work (huey): seal every minute, purge expired events once a day."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import chain
from .context import system


@db_periodic_task(crontab(minute="*"))
def seal_audit_chain() -> int:
    with system("audit-seal"):
        return chain.seal()


@db_periodic_task(crontab(minute="40", hour="3"))
def purge_expired_audit_events() -> int:
    with system("audit-purge"):
        return chain.purge().total
