"""regwatch score --pack P [--as-of DATE] [--as-known-now] [--engine duckdb|spark] [--subjects IDS] [--dry-run] [--json] [--first]"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from regwatch.audit.context import system
from regwatch.scoring.models import ModelVersion, ScoringRun
from regwatch.scoring.runs import run_scoring


class Command(BaseCommand):
    help = "用已发布的评分模型版本对业务包内的主体评分并发布等级"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--pack", required=True)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="评分基准日（默认今天）")
        parser.add_argument("--as-known-now", action="store_true", help="使用目前已知的全部记录（而非基准日当天已知的记录）")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--subjects", default="", help="逗号分隔的主体ID（增量评分）")
        parser.add_argument("--dry-run", action="store_true", help="只计算不发布")
        parser.add_argument("--json", action="store_true", help="输出 JSON（含耗时）")
        parser.add_argument("--first", action="store_true", help="仅当该业务包尚无已发布的评分批次时评分（regwatch demo 用）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["first"]:
            if ScoringRun.objects.filter(version__model__pack=opts["pack"], status=ScoringRun.Status.PUBLISHED).exists():
                return
            self.stdout.write("首次评分：")
        versions = ModelVersion.objects.filter(model__pack=opts["pack"], status=ModelVersion.Status.PUBLISHED).select_related(
            "model__scheme"
        )
        if not versions:
            raise CommandError(f"业务包 {opts['pack']} 没有已发布的评分模型版本（先运行 regwatch pack load {opts['pack']}）")
        ids = [int(x) for x in opts["subjects"].split(",") if x.strip()] or None
        out = []
        with system("score"):
            for version in versions:
                run = run_scoring(
                    version,
                    as_of=opts["as_of"],
                    as_known_now=opts["as_known_now"],
                    subject_ids=ids,
                    engine=opts["engine"],
                    publish=not opts["dry_run"],
                    echo=not opts["json"],
                    trigger="cli",
                )
                out.append(
                    {
                        "run": run.pk,
                        "model": version.model.code,
                        "version": version.number,
                        "as_of": run.as_of.isoformat(),
                        "engine": run.engine,
                        "status": run.status,
                        "subjects": run.subject_count,
                        "distribution": run.distribution,
                        "timings": run.timings,
                    }
                )
        if opts["json"]:
            self.stdout.write(json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False))
        else:
            for r in out:
                self.stdout.write(
                    f"批次 #{r['run']} {r['model']} v{r['version']} 基准日 {r['as_of']}：{r['subjects']} 户，"
                    f"等级分布 {r['distribution']}，耗时 {r['timings'].get('total', 0):.2f} 秒（{r['status']}）"
                )
