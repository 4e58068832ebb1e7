"""Running the huey tasks a test scheduled for later.

Tests run huey in immediate mode: a task runs when it is enqueued, but one scheduled with a
delay (the debounced re-grade) waits in huey's in-memory schedule until a test runs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from huey.contrib.djhuey import HUEY


def _later() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)  # huey keeps naive UTC


def _due() -> list:
    return HUEY.read_schedule(_later())


@pytest.fixture
def scheduled_tasks() -> Callable[[], int]:
    """A function that runs every scheduled task now and returns how many there were."""
    _due()  # tasks an earlier test left behind are not this test's

    def run() -> int:
        tasks = _due()
        for task in tasks:
            HUEY.execute(task, timestamp=_later())  # as if the delay had passed
        return len(tasks)

    return run
