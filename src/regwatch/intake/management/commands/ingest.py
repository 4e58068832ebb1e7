"""``regwatch ingest --source CODE FILE [--target TYPE] [--json]``: import one file with a progress bar."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regwatch.intake.models import Batch, Source
from regwatch.intake.pipeline import IntakeError, ingest_file, summary


class Command(BaseCommand):
    help = "导入数据文件（CSV/Excel/JSON）：校验、匹配主体、入库，无法通过校验的行进入隔离区。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="数据源编码")
        parser.add_argument("--target", help="目标记录类型（数据源有多个映射时）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出批次汇总")

    def handle(self, *args: Any, **opts: Any) -> None:
        source = Source.objects.filter(code=opts["source"]).first()
        if source is None:
            raise CommandError(f"数据源“{opts['source']}”不存在；可用：" + "、".join(Source.objects.values_list("code", flat=True)))
        try:
            batch = ingest_file(source, opts["file"], target=opts.get("target"), echo=True)
        except IntakeError as exc:
            raise CommandError(str(exc)) from None
        result = summary(batch)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif batch.status == Batch.Status.FAILED:
            self.stderr.write(f"导入失败：{batch.error}")
        else:
            self.stdout.write(
                f"批次 {batch.pk}：读取 {batch.rows_read} 行，新增 {batch.accepted}，合并 {batch.merged}"
                f"（更新 {batch.updated}，无变化 {batch.unchanged}），隔离 {batch.quarantined}，警告 {batch.warnings}"
            )
            for key, n in sorted(batch.rule_failures.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  {key}: {n}")
            for note in batch.notes:
                self.stdout.write(f"  提示：{note}")
        if batch.status == Batch.Status.FAILED:
            raise SystemExit(1)
