"""``regwatch bench <name> [options]``: run a registered measurement (see regwatch.ops.bench)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules

from regwatch.ops.bench import BENCHES


class Command(BaseCommand):
    help = "Run a benchmark: regwatch bench <name> (e.g. regwatch bench ingest --rows 1000000)."

    def add_arguments(self, parser: CommandParser) -> None:
        autodiscover_modules("benches")
        sub = parser.add_subparsers(dest="bench", required=True)
        for bench in BENCHES.values():
            p = sub.add_parser(bench.name, help=bench.help)
            p.add_argument("--json", action="store_true", help="print the figures as JSON")
            for flag, kwargs in bench.arguments:
                p.add_argument(flag, **kwargs)

    def handle(self, *args: Any, bench: str, **opts: Any) -> None:
        figures = BENCHES[bench].run(opts)
        if opts.get("json"):
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            for k, v in figures.items():
                self.stdout.write(f"{k}: {v}")
