"""Background evaluation of warning rules (huey; immediate in tests)."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from regwatch.audit.context import system

from . import rules


@db_task()
def evaluate_records(subject_ids: list[int], record_type_codes: list[str]) -> int:
    with system("warnings"):
        return rules.on_records_added(subject_ids, record_type_codes)


@db_task()
def evaluate_run(run_id: int) -> int:
    with system("warnings"):
        return rules.on_run_published(run_id)


@db_task()
def evaluate_list_hits(subject_ids: list[int] | None = None) -> int:
    with system("warnings"):
        return rules.check_list_hits(subject_ids)


@db_periodic_task(crontab(minute="10", hour="1"))
def daily_scan() -> Any:
    """Overdue rectification/credit repair and list hits, once a day."""
    with system("warnings-daily"):
        return rules.check_overdue() + rules.check_list_hits()
