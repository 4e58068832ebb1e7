"""``regwatch bench ingest --rows N``: generate an N-row CSV and time its intake (rows/s, peak RSS)."""

from __future__ import annotations

import csv
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from regwatch.ops.bench import peak_rss_mb, register_bench
from regwatch.packs.generate import generate_pack_data
from regwatch.subjects.models import Subject

RESULTS = ["符合", "基本符合", "不符合"]


def write_csv(path: Path, rows: int, subjects: list[tuple[str, str]], seed: int = 1, bad_every: int = 200) -> None:
    """Inspection rows in GBK-free UTF-8; every ``bad_every``-th row is broken on purpose."""
    rng = random.Random(seed)
    run = f"{int(time.time())}"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统一社会信用代码", "企业名称", "检查编号", "检查日期", "检查结果", "发现问题数", "检查人员", "检查单位"])
        for i in range(rows):
            uscc, name = subjects[i % len(subjects)]
            day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            result = rng.choice(RESULTS)
            if bad_every and i % bad_every == 0:
                day = "2099-01-01"  # a future date: quarantined
            w.writerow([uscc, name, f"B{run}-{i:08d}", day, result, 0 if result == "符合" else rng.randint(1, 5), "张三", "市场监管所"])


def ingest_bench(opts: dict[str, Any]) -> dict[str, Any]:
    from regwatch.intake.models import Source
    from regwatch.intake.pipeline import ingest_file

    source = Source.objects.get(code=opts["source"])  # a pack's source whose mapping reads these inspection columns
    if not Subject.objects.filter(pack=source.pack).exists():
        generate_pack_data(source.pack, opts["subjects"], seed=2026)
    subjects = [(u or "", n) for u, n in Subject.objects.filter(pack=source.pack).values_list("uscc", "name")[: opts["subjects"]]]
    with tempfile.TemporaryDirectory(prefix="regwatch-bench-") as tmp:
        path = Path(tmp) / "inspections.csv"
        t0 = time.perf_counter()
        write_csv(path, opts["rows"], subjects)
        gen_seconds = time.perf_counter() - t0
        size_mb = round(path.stat().st_size / 1e6, 1)
        rss_before = peak_rss_mb()
        t0 = time.perf_counter()
        batch = ingest_file(source, path, echo=True)
        seconds = time.perf_counter() - t0
    return {
        "rows": batch.rows_read,
        "file_mb": size_mb,
        "generate_seconds": round(gen_seconds, 1),
        "ingest_seconds": round(seconds, 1),
        "rows_per_second": round(batch.rows_read / seconds) if seconds else None,
        "accepted": batch.accepted,
        "merged": batch.merged,
        "quarantined": batch.quarantined,
        "balanced": batch.balanced,
        "peak_rss_mb_before_ingest": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "cpus": os.cpu_count(),
        "machine": f"{platform.machine()} {platform.processor() or platform.system()}",
        "database": _database(),
    }


def _database() -> str:
    from django.db import connection

    return connection.vendor


register_bench(
    "ingest",
    ingest_bench,
    "生成 N 行检查记录 CSV 并计时导入（行/秒、内存峰值）",
    arguments=[
        ("--rows", {"type": int, "default": 1_000_000}),
        ("--subjects", {"type": int, "default": 2000}),
        ("--source", {"default": "samr_inspection"}),
    ],
)
