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


def _value(target: str, transforms: list[str], i: int, run: str, subject: tuple[str, str], rng: random.Random, names: dict) -> str:
    """A plausible cell for one mapped column, from the mapping alone (so any pack's source can be timed)."""
    uscc, name = subject
    if target == "subject.uscc":
        return uscc
    if target == "subject.name":
        return name
    if target == "source_ref":
        return f"B{run}-{i:08d}"
    if target == "occurred_on" or "date" in transforms:
        return f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    for t in transforms:
        if t.startswith("dict:") and names.get(t[5:]):
            return rng.choice(names[t[5:]])
    return "" if target.startswith("subject.") else str(rng.randint(0, 5))


def write_csv(path: Path, rows: int, subjects: list[tuple[str, str]], fields: list[dict], seed: int = 1, bad_every: int = 200) -> None:
    """Rows for the mapped columns of ``fields`` in UTF-8; every ``bad_every``-th row has a future date on purpose."""
    from regwatch.core.dictionaries import code_names

    rng = random.Random(seed)
    run = f"{int(time.time())}"
    columns: dict[str, tuple[str, list[str]]] = {}
    for f in fields:
        if f.get("source") and f["source"] not in columns:
            columns[f["source"]] = (f["target"], f.get("transforms") or [])
    wanted = [t[5:] for _, ts in columns.values() for t in ts if t.startswith("dict:")]
    names = {d: list(items.values()) for d, items in code_names(wanted).items()}
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(list(columns))
        for i in range(rows):
            subject = subjects[i % len(subjects)]
            row = [_value(target, ts, i, run, subject, rng, names) for target, ts in columns.values()]
            if bad_every and i % bad_every == 0:
                row = ["2099-01-01" if target == "occurred_on" else v for (target, _), v in zip(columns.values(), row, strict=True)]
            w.writerow(row)


def _bench_pack(name: str) -> str:
    """``--pack``, else the first pack loaded here, else the first one shipped."""
    from regwatch.packs.manifest import available_packs
    from regwatch.packs.models import PackInstall

    return name or PackInstall.objects.order_by("pk").values_list("name", flat=True).first() or available_packs()[0]


def ingest_bench(opts: dict[str, Any]) -> dict[str, Any]:
    from regwatch.intake.models import FieldMapping
    from regwatch.intake.pipeline import ingest_file
    from regwatch.packs.generate import generate_pack_data
    from regwatch.subjects.models import Subject

    pack = _bench_pack(opts.get("pack", ""))
    if not Subject.objects.filter(pack=pack).exists():
        generate_pack_data(pack, opts["subjects"], seed=2026)
    subjects = [
        (u or "", n) for u, n in Subject.objects.filter(pack=pack).exclude(uscc=None).values_list("uscc", "name")[: opts["subjects"]]
    ]
    mappings = FieldMapping.objects.filter(is_current=True, source__pack=pack, source__kind="file").exclude(target="subject")
    if opts.get("source"):
        mappings = mappings.filter(source__code=opts["source"])
    mapping = mappings.select_related("source").order_by("source__code", "target").first()
    if mapping is None:
        raise ValueError(f"业务包 {pack} 没有可用于计时的文件导入数据源")
    source = mapping.source
    with tempfile.TemporaryDirectory(prefix="regwatch-bench-") as tmp:
        path = Path(tmp) / f"{source.code}.csv"
        t0 = time.perf_counter()
        write_csv(path, opts["rows"], subjects, mapping.fields)
        gen_seconds = time.perf_counter() - t0
        size_mb = round(path.stat().st_size / 1e6, 1)
        rss_before = peak_rss_mb()
        t0 = time.perf_counter()
        batch = ingest_file(source, path, target=mapping.target, echo=True)
        seconds = time.perf_counter() - t0
    return {
        "pack": pack,
        "source": source.code,
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
    "按数据源的字段映射生成 N 行 CSV 并计时导入（行/秒、内存峰值）",
    arguments=[
        ("--rows", {"type": int, "default": 1_000_000}),
        ("--subjects", {"type": int, "default": 2000}),
        ("--pack", {"default": "", "help": "业务包（默认：最先加载的业务包）"}),
        ("--source", {"default": "", "help": "文件导入数据源编码（默认：该业务包的第一个）"}),
    ],
)
