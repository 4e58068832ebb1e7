"""Approved requests not used within their validity expire (已过期), every quarter of an hour."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from regwatch.audit.context import system

from .services import expire_overdue


@db_periodic_task(crontab(minute="*/15"))
def expire_approvals() -> int:
    with system("approvals-expiry"):
        return expire_overdue()
