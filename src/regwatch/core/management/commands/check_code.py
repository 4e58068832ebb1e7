"""``regwatch check-code uscc|id_card CODE...``: is each code valid, and if not, why."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from regwatch.core.identifiers import id_card_problems, normalize_code, uscc_problems

CHECKS = {"uscc": ("统一社会信用代码", uscc_problems), "id_card": ("身份证号码", id_card_problems)}


class Command(BaseCommand):
    help = "校验统一社会信用代码（uscc）或身份证号码（id_card）；有无效代码时退出码为 1。"
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scheme", choices=sorted(CHECKS))
        parser.add_argument("codes", nargs="+")

    def handle(self, *args: Any, scheme: str, codes: list[str], **opts: Any) -> None:
        label, check = CHECKS[scheme]
        invalid = 0
        for code in codes:
            problems = check(code)
            if problems:
                invalid += 1
                self.stdout.write(f"{code}\t无效：" + "；".join(problems))
            else:
                self.stdout.write(f"{normalize_code(code)}\t有效的{label}")
        if invalid:
            raise SystemExit(1)
