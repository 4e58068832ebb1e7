"""Killing a scoring run (SIGKILL, no clean-up) leaves the grades in force untouched, and the next
run marks the killed one failed with the reason."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REGWATCH_ENV")}
    return {**env, "REGWATCH_VAR_DIR": str(var)}


def _grades(db: sqlite3.Connection) -> list[tuple]:
    return db.execute("select subject_id, level, score, run_id from scoring_currentgrade order by subject_id").fetchall()


def test_a_killed_full_run_leaves_the_previous_grades_in_force(tmp_path: Path) -> None:
    setup = subprocess.run(
        [sys.executable, "-m", "regwatch.cli", "demo", "--no-serve", "--subjects", "1500"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    db = sqlite3.connect(tmp_path / "regwatch.sqlite3", timeout=30)
    before = _grades(db)
    runs_before = db.execute("select count(*) from scoring_scoringrun").fetchone()[0]
    assert len(before) == 1500

    proc = subprocess.Popen(
        [sys.executable, "-m", "regwatch.cli", "score", "--pack", "food_credit", "--as-known-now"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the new run is under way, then kill it hard
        if row := db.execute("select id from scoring_scoringrun where status = 'running'").fetchone():
            killed = row[0]
            break
        time.sleep(0.02)
    else:
        proc.kill()
        raise AssertionError("the scoring run never started")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert _grades(db) == before
    status = "select status, error from scoring_scoringrun where id = ?"
    assert db.execute(status, (killed,)).fetchone()[0] == "running"  # nothing noticed yet
    assert db.execute("select count(*) from scoring_scoringrun where status = 'published'").fetchone()[0] == runs_before
    # and the next run still works and takes over
    again = subprocess.run(
        [sys.executable, "-m", "regwatch.cli", "score", "--pack", "food_credit", "--json"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert {row[3] for row in _grades(db)} != {row[3] for row in before}
    marked, error = db.execute(status, (killed,)).fetchone()
    assert marked == "failed" and "计算进程已中止" in error and str(proc.pid) in error
