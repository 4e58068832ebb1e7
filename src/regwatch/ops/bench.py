"""``regwatch bench <name>``: a registry of long measurements that stay out of the test suite.

An app adds one in its ``benches.py`` (autodiscovered by the command):

    from regwatch.ops.bench import register_bench

    def ingest_bench(parser_args) -> dict[str, object]: ...
    register_bench("ingest", ingest_bench, "1,000,000-row CSV intake", arguments=[("--rows", {"type": int, "default": 1_000_000})])

The function gets the parsed options as a dict and returns the figures to print (and, with
``--json``, to emit as JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BenchFn = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Bench:
    name: str
    run: BenchFn
    help: str
    arguments: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


BENCHES: dict[str, Bench] = {}


def register_bench(name: str, run: BenchFn, help: str, arguments: list[tuple[str, dict[str, Any]]] | None = None) -> None:
    BENCHES[name] = Bench(name, run, help, arguments or [])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
