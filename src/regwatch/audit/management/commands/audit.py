"""``regwatch audit verify|seal|purge``: the audit trail's integrity chain and retention (docs/security.md)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = "审计日志：verify 校验完整性（发现问题时退出码为 1），seal 封存新记录，purge 清理超过保存期限的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal", "purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        from regwatch.audit import chain
        from regwatch.audit.context import system

        action = options["action"]
        with system(f"audit-{action}"):
            if action == "seal":
                self.stdout.write(f"已封存 {chain.seal()} 条审计记录")
            elif action == "purge":
                result = chain.purge()
                removed = "、".join(f"{chain.CHAIN_LABELS[k]} {v} 条" for k, v in result.removed.items())
                self.stdout.write(f"已清理 {result.cutoff:%Y-%m-%d %H:%M} 之前的记录：{removed}")
            else:
                self._verify(chain)

    def _verify(self, chain: Any) -> None:
        sealed = chain.seal()
        with tqdm(total=chain.count_events(), desc="审计日志校验", unit="条", file=sys.stderr, dynamic_ncols=True) as bar:

            def progress(n: int, message: str) -> None:
                bar.update(n)
                bar.set_postfix_str(message)

            report = chain.check(progress=progress)
        if sealed:
            self.stdout.write(f"已封存 {sealed} 条新记录")
        for finding in report.findings:
            self.stderr.write(str(finding))
        if report.ok:
            self.stdout.write(report.summary())
        else:
            self.stderr.write(report.summary())
            sys.exit(1)
