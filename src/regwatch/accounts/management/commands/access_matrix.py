"""``regwatch access_matrix [--markdown]``: print who may use each route (regwatch/accounts/matrix.py)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from regwatch.accounts.matrix import ANONYMOUS, table
from regwatch.accounts.roles import ROLES


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Command(BaseCommand):
    help = "打印授权矩阵：每个页面、接口与各角色（及未登录访问者）能否使用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="以 Markdown 表格输出")

    def handle(self, *args: Any, markdown: bool = False, **options: Any) -> None:
        columns = [(code, role.label) for code, role in ROLES.items()] + [(ANONYMOUS, "未登录")]
        rows = table(columns)
        if markdown:
            self.stdout.write("| " + " | ".join(rows[0]) + " |")
            self.stdout.write("|" + "---|" * len(rows[0]))
            for row in rows[1:]:
                self.stdout.write("| " + " | ".join([f"`{row[0]}`", *row[1:]]) + " |")
            return
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip())
