"""Run the suite on SQLite, on PostgreSQL, and in a real browser.

The SQLite and PostgreSQL passes run side by side (two cores), each logging to its own
file that is printed when both are done; the browser pass runs last.  PostgreSQL is used
when it answers at REGWATCH_TEST_DATABASE_URL (default: the machine's local server).  With
REGWATCH_REQUIRE_POSTGRES=1 (CI) an unreachable server fails the run instead of being
skipped; the same holds for Redis with REGWATCH_REQUIRE_REDIS=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/15"


def _reachable_pg(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False


def _reachable_redis(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except Exception:  # noqa: BLE001
        return False


def _start(label: str, env: dict[str, str], log: Path, *args: str) -> tuple[str, Path, subprocess.Popen[bytes]]:
    env = {**env, "REGWATCH_VAR_DIR": tempfile.mkdtemp(prefix="regwatch-test-")}
    out = log.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *args, *sys.argv[1:]], env=env, stdout=out, stderr=subprocess.STDOUT)
    return label, log, proc


def _finish(label: str, log: Path, proc: subprocess.Popen[bytes]) -> int:
    code = proc.wait()
    print(f"\n===== {label} =====", flush=True)
    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
    sys.stdout.flush()
    return code


def main() -> int:
    base = {**os.environ, "REGWATCH_ENV": "test"}
    base.pop("DATABASE_URL", None)
    redis_url = os.environ.get("REGWATCH_TEST_REDIS_URL", REDIS_DEFAULT)
    if _reachable_redis(redis_url):
        base["REGWATCH_TEST_REDIS_URL"] = redis_url
    elif os.environ.get("REGWATCH_REQUIRE_REDIS") == "1":
        print(f"Redis required but not reachable at {redis_url}", file=sys.stderr)
        return 2
    pg_url = os.environ.get("REGWATCH_TEST_DATABASE_URL", PG_DEFAULT)
    with_pg = _reachable_pg(pg_url)
    if not with_pg and os.environ.get("REGWATCH_REQUIRE_POSTGRES") == "1":
        print(f"PostgreSQL required but not reachable at {pg_url}", file=sys.stderr)
        return 2
    logs = Path(tempfile.mkdtemp(prefix="regwatch-logs-"))
    passes = [_start("SQLite", base, logs / "sqlite.log", "-m", "not e2e")]
    if with_pg:
        passes.append(_start("PostgreSQL", {**base, "DATABASE_URL": pg_url}, logs / "postgres.log", "-m", "not e2e"))
    failures = sum(_finish(*p) != 0 for p in passes)
    if not with_pg:
        print(f"\nPostgreSQL not reachable at {pg_url}: PostgreSQL pass skipped", flush=True)
    failures += _finish(*_start("Browser (Playwright + chromium, SQLite)", base, logs / "browser.log", "-m", "e2e")) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
