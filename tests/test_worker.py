"""The supervised task worker (``regwatch worker``): a consumer that dies is restarted and the restart logged."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from regwatch.ops.supervisor import supervise


def test_a_worker_that_aborts_is_restarted_with_back_off_and_logged(tmp_path: Path, caplog: Any) -> None:
    starts = tmp_path / "starts"
    # The consumer as the probe left it: it starts, then dies by SIGABRT.
    command = [sys.executable, "-c", f"import os; open({str(starts)!r}, 'a').write('x'); os.abort()"]
    delays: list[float] = []
    with caplog.at_level(logging.INFO, logger="regwatch.worker"):
        restarts = supervise(command, max_restarts=3, sleep=delays.append, handle_signals=False)
    assert restarts == 3 and starts.read_text() == "xxxx"  # the first start and three restarts
    assert delays == [1.0, 2.0, 4.0]  # back-off doubles
    messages = [r.getMessage() for r in caplog.records]
    assert sum("killed by SIGABRT" in m and "restarting in" in m for m in messages) == 3
    assert "no restarts left" in messages[-1]
