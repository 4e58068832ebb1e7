"""``regwatch bench score``: a full scoring run over every subject of a pack (not published by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regwatch.audit.context import system
from regwatch.ops.bench import peak_rss_mb, register_bench


def score_bench(opts: dict[str, Any]) -> dict[str, Any]:
    from .models import ModelVersion
    from .runs import run_scoring

    versions = ModelVersion.objects.select_related("model__scheme").filter(status=ModelVersion.Status.PUBLISHED)
    # --pack, else the pack loaded first: the bench times one model, so the choice must be stable.
    version = (versions.filter(model__pack=opts["pack"]) if opts.get("pack") else versions).order_by("model__pk").first()
    if version is None:
        raise ValueError(f"业务包 {opts.get('pack') or ''} 没有已发布的评分模型版本")
    as_of = dt.date.fromisoformat(opts["as_of"]) if opts.get("as_of") else None
    with system("bench-score"):
        run = run_scoring(version, as_of=as_of, engine=opts["engine"], publish=opts["publish"], trigger="bench")
    return {
        "pack": version.model.pack,
        "run": run.pk,
        "subjects": run.subject_count,
        "records": run.timings.get("records"),
        "engine": run.engine,
        "seconds": run.timings,
        "subjects_per_second": round(run.subject_count / max(run.timings.get("total", 0) or 1e-9, 1e-9)),
        "distribution": run.distribution,
        "peak_rss_mb": peak_rss_mb(),
    }


register_bench(
    "score",
    score_bench,
    "全量评分（默认 DuckDB；--publish 时发布结果）",
    arguments=[
        ("--pack", {"default": "", "help": "业务包（默认：最先加载的业务包）"}),
        ("--as-of", {"default": ""}),
        ("--engine", {"choices": ["duckdb", "spark"], "default": "duckdb"}),
        ("--publish", {"action": "store_true"}),
    ],
)
