"""``regwatch ledger verify``: check the evidence ledger; exit 1 on any inconsistency."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "存证链校验：regwatch ledger verify"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        from regwatch.audit.ledger import verify

        report = verify()
        for p in report.problems:
            self.stderr.write(f"#{p.seq if p.seq is not None else '-'}: {p.message}")
        summary = f"已校验 {report.checked} 条存证、{report.files} 个文件：" + (
            "一致" if report.ok else f"发现 {len(report.problems)} 处不一致"
        )
        if report.ok:
            self.stdout.write(summary)
        else:
            self.stderr.write(summary)
            sys.exit(1)
