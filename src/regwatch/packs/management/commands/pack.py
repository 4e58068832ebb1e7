from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regwatch.ops.progress import track
from regwatch.packs.generate import generate_pack_data
from regwatch.packs.loader import load_pack
from regwatch.packs.manifest import available_packs, read_manifest
from regwatch.packs.models import PackInstall


class Command(BaseCommand):
    help = "List, load or generate synthetic data for domain packs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="list available packs and what is loaded")
        load = sub.add_parser("load", help="load a pack's manifest (idempotent; keeps local edits unless --force)")
        load.add_argument("name")
        load.add_argument("--force", action="store_true", help="the pack wins over objects edited locally (audited)")
        gen = sub.add_parser("generate", help="generate synthetic subjects and records")
        gen.add_argument("name")
        gen.add_argument("--subjects", type=int, default=1000)
        gen.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        try:
            if action == "list":
                installed = {p.name: p for p in PackInstall.objects.all()}
                for name in available_packs():
                    m = read_manifest(name)
                    state = f"已加载 {installed[name].version}" if name in installed else "未加载"
                    if name in installed and installed[name].conflicts:
                        state += f"（{len(installed[name].conflicts)} 项本地修改未采用业务包版本）"
                    self.stdout.write(f"{name:<18} {m.version:<8} {state:<12} {m.title}")
            elif action == "load":
                result = load_pack(opts["name"], force=opts["force"])
                self.stdout.write(result.summary())
                if result.conflicts:
                    # Exit status stays 0: a kept local edit is the intended outcome, not a failure.
                    self.stdout.write(table(("类型", "对象", "内容", "本地", "业务包", "处理"), result.conflict_rows()))
            elif action == "generate":
                with track("generate", "生成主体", total=opts["subjects"], echo=True) as job:
                    counts = generate_pack_data(opts["name"], opts["subjects"], opts["seed"], progress=job.advance)
                self.stdout.write(f"新增主体 {counts['subjects']}，记录 {counts['records']}，已存在跳过 {counts['skipped']}")
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table that lines up Chinese (double-width) characters."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])
