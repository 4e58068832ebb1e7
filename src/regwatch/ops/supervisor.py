"""Keep the task worker running: restart it with back-off whenever it dies, and log each restart.

The huey consumer runs scoring, deadlines, notifications and intake in one process; before intake
read files in a limited child, one hostile xlsx aborted it and everything stopped until someone
noticed.  ``regwatch worker`` (started by ``regwatch serve``) runs ``regwatch run_huey`` under
``supervise``: a clean exit after a stop request ends the loop; any other exit is logged and the
consumer starts again after 1, 2, 4 … up to 60 seconds (back to 1 once it has run for a minute).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from types import FrameType

log = logging.getLogger("regwatch.worker")

MAX_DELAY = 60.0
HEALTHY_AFTER = 60.0  # seconds of running that reset the back-off


def describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def supervise(
    command: Sequence[str],
    *,
    base_delay: float = 1.0,
    max_restarts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    handle_signals: bool = True,
) -> int:
    """Run ``command`` until it exits cleanly after a stop request; returns how many restarts there were."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)  # huey finishes its running tasks on SIGINT, stops at once on SIGTERM

    if handle_signals:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    restarts, delay = 0, base_delay
    while True:
        started = time.monotonic()
        child = subprocess.Popen(list(command))
        log.info("task worker started (pid %s)", child.pid)
        code = child.wait()
        if stopping:
            log.info("task worker stopped (%s)", describe(code))
            return restarts
        ran = time.monotonic() - started
        if ran >= HEALTHY_AFTER:
            delay = base_delay
        if max_restarts is not None and restarts >= max_restarts:
            log.error("task worker exited (%s) after %.0f s; no restarts left", describe(code), ran)
            return restarts
        log.error("task worker exited (%s) after %.0f s; restarting in %.0f s", describe(code), ran, delay)
        sleep(delay)
        if stopping:
            return restarts
        restarts += 1
        delay = min(max(delay, 0.5) * 2, MAX_DELAY) if base_delay else 0.0
