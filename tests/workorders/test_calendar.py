"""Deadlines in working days across Spring Festival and National Day 2026, against chinese-calendar."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from regwatch.workorders.calendar import add_working_days, deadline


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Spring Festival 2026: 2/15-2/23 off; Saturday 2/14 and Saturday 2/28 are make-up working days.
        (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 14)),
        (dt.date(2026, 2, 13), 2, dt.date(2026, 2, 24)),
        (dt.date(2026, 2, 12), 5, dt.date(2026, 2, 26)),
        (dt.date(2026, 2, 26), 2, dt.date(2026, 2, 28)),
        # National Day 2026: 10/1-10/7 off; Saturday 10/10 is a make-up working day, Sunday 9/27 is not.
        (dt.date(2026, 9, 25), 1, dt.date(2026, 9, 28)),
        (dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8)),
        (dt.date(2026, 9, 29), 4, dt.date(2026, 10, 10)),
        (dt.date(2026, 9, 29), 5, dt.date(2026, 10, 12)),
        (dt.date(2026, 10, 9), 1, dt.date(2026, 10, 10)),
        (dt.date(2026, 10, 10), 1, dt.date(2026, 10, 12)),
    ],
)
def test_working_days_across_holidays(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days) == expected
    assert chinese_calendar.is_workday(expected)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 10, 15)), st.integers(min_value=1, max_value=15))
def test_matches_chinese_calendar_workday_list(start: dt.date, days: int) -> None:
    workdays = list(chinese_calendar.get_workdays(start + dt.timedelta(days=1), start + dt.timedelta(days=60)))
    assert add_working_days(start, days) == workdays[days - 1]


def test_deadline_is_end_of_local_working_day_or_hours() -> None:
    start = timezone.make_aware(dt.datetime(2026, 9, 30, 16, 0))
    due = deadline(start, {"working_days": 1})
    assert due is not None and timezone.localtime(due).date() == dt.date(2026, 10, 8) and timezone.localtime(due).hour == 23
    assert deadline(start, {"hours": 24}) == start + dt.timedelta(hours=24)
    assert deadline(start, None) is None
