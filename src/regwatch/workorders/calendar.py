"""Deadlines in working days (Chinese statutory holidays and make-up working days) or in hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
from django.utils import timezone

END_OF_DAY = dt.time(23, 59, 59)


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year chinese-calendar does not know yet: weekdays
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (the start day itself does not count)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            days -= 1
    return day


def deadline(start: dt.datetime, spec: dict[str, Any] | None) -> dt.datetime | None:
    """``{"working_days": n}``: end of the n-th working day after the start (local time); ``{"hours": h}``."""
    if not spec:
        return None
    if spec.get("hours") is not None:
        return start + dt.timedelta(hours=float(spec["hours"]))
    local = timezone.localtime(start)
    day = add_working_days(local.date(), int(spec["working_days"]))
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY), timezone.get_current_timezone())
