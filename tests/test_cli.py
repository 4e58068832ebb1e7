"""The two-command promise, end to end: `regwatch demo --no-serve` on a fresh SQLite file, twice."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def _demo(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REGWATCH_ENV")}
    return subprocess.run(
        [sys.executable, "-m", "regwatch.cli", "demo", "--no-serve", "--subjects", "120", *args],
        env={**env, "REGWATCH_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_demo_sets_up_from_nothing_and_is_safe_to_rerun(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "新增主体 120" in first.stdout
    for login in ("admin", "data_admin", "model_admin", "business_admin", "inspector", "leader", "api_client"):
        assert login in first.stdout
    assert "密码均为" in first.stdout
    assert "生成演示数据" in first.stderr  # the progress bar
    db = sqlite3.connect(tmp_path / "regwatch.sqlite3")
    counts = (
        db.execute("select count(*) from subjects_subject").fetchone()[0],
        db.execute("select count(*) from subjects_record").fetchone()[0],
    )
    assert counts[0] == 120 and counts[1] > 120 * 5
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "跳过数据生成" in second.stdout
    again = (
        db.execute("select count(*) from subjects_subject").fetchone()[0],
        db.execute("select count(*) from subjects_record").fetchone()[0],
    )
    assert again == counts


def test_unknown_pack_is_a_clear_error(tmp_path: Path) -> None:
    result = _demo(tmp_path, "--pack", "no_such_pack")
    assert result.returncode != 0
    assert "业务包 no_such_pack 不存在" in result.stderr
    assert "Traceback" not in result.stderr
