"""Run the suite on SQLite, in a real browser, and on PostgreSQL.

PostgreSQL is used when it answers at REGWATCH_TEST_DATABASE_URL (default:
the machine's local server).  With REGWATCH_REQUIRE_POSTGRES=1 (CI) an
unreachable server fails the run instead of being skipped; the same holds for
Redis with REGWATCH_REQUIRE_REDIS=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

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


def _pytest(label: str, env: dict[str, str], *args: str) -> int:
    print(f"\n===== {label} =====", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args, *sys.argv[1:]], env=env)


def main() -> int:
    base = {**os.environ, "REGWATCH_ENV": "test", "REGWATCH_VAR_DIR": tempfile.mkdtemp(prefix="regwatch-test-")}
    base.pop("DATABASE_URL", None)
    redis_url = os.environ.get("REGWATCH_TEST_REDIS_URL", REDIS_DEFAULT)
    if _reachable_redis(redis_url):
        base["REGWATCH_TEST_REDIS_URL"] = redis_url
    elif os.environ.get("REGWATCH_REQUIRE_REDIS") == "1":
        print(f"Redis required but not reachable at {redis_url}", file=sys.stderr)
        return 2
    failures = 0
    failures += _pytest("SQLite", base, "-m", "not e2e") != 0
    failures += _pytest("Browser (Playwright + chromium, SQLite)", base, "-m", "e2e") != 0
    pg_url = os.environ.get("REGWATCH_TEST_DATABASE_URL", PG_DEFAULT)
    if _reachable_pg(pg_url):
        failures += _pytest("PostgreSQL", {**base, "DATABASE_URL": pg_url}, "-m", "not e2e") != 0
    elif os.environ.get("REGWATCH_REQUIRE_POSTGRES") == "1":
        print(f"PostgreSQL required but not reachable at {pg_url}", file=sys.stderr)
        return 2
    else:
        print(f"\nPostgreSQL not reachable at {pg_url}: PostgreSQL pass skipped", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
