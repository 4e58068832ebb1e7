"""Scoring runs: extract → compute (one Ibis expression) → stage rows → publish atomically.

A run is pinned to a model version and an as-of date D (and the knowledge cut-off: the end of D
in Asia/Shanghai, or "now" for a run as known now).  Results are first written as staging rows
(``Score``, status ``running``/``staged``); only ``publish_run`` — one transaction — replaces the
grades in force (``CurrentGrade``), records ``GradeChange`` rows and marks the run published.
A run that fails or is killed before that leaves the previous grades in force; a killed run
(still ``running``, its process gone) is marked failed by the next run or the worker's start-up
(``fail_stale_runs``).

Newest wins per subject: publishing never replaces a grade that came from a newer run
(``recency``), so a full run that finishes after an incremental re-grade leaves that re-grade's
grades in force.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from regwatch.audit.operations import Operation, key_operation
from regwatch.indicators.services import library
from regwatch.indicators.spec import IndicatorSpec
from regwatch.ops.models import Job
from regwatch.ops.progress import track

from . import signals
from .compiler import compute
from .data import end_of_day, extract
from .lifecycle import scheme_spec, scorecard
from .models import CurrentGrade, GradeChange, ModelVersion, Score, ScoringRun

BATCH = 2000
# A running run writes a heartbeat at every stage and batch; one silent for this long is dead
# even when its process cannot be checked (another host, or a recycled process id).
STALE_AFTER = dt.timedelta(minutes=30)
log = logging.getLogger(__name__)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def fail_stale_runs() -> list[int]:
    """Mark runs left ``running`` by a process that is gone as failed, with the reason in Chinese.

    A run is stale when it was started on this host by a process that no longer exists, or when
    its last heartbeat is older than ``STALE_AFTER``.  Called when a run starts and when the task
    worker starts.  Returns the ids marked.
    """
    host, now, me = socket.gethostname()[:100], timezone.now(), os.getpid()
    marked = []
    for run in ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).only("pk", "host", "pid", "heartbeat_at", "created_at", "job"):
        beat = run.heartbeat_at or run.created_at
        if run.host == host and run.pid and run.pid != me and not _alive(run.pid):
            reason = f"计算进程已中止（主机 {host} 上的进程 {run.pid} 已不存在），本批次未完成，已标记为失败；此前的等级仍然有效"
        elif now - beat > STALE_AFTER:
            when = timezone.localtime(beat).strftime("%Y-%m-%d %H:%M")
            reason = (
                f"计算进程超过 {STALE_AFTER.seconds // 60} 分钟无响应（最近一次心跳 {when}），"
                "本批次未完成，已标记为失败；此前的等级仍然有效"
            )
        else:
            continue
        # conditional on still running: a run that finished meanwhile keeps its status
        if ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.RUNNING).update(status=ScoringRun.Status.FAILED, error=reason):
            marked.append(run.pk)
            if run.job_id:
                Job.objects.filter(pk=run.job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
                    status=Job.Status.FAILED, error=reason, finished_at=now
                )
    if marked:
        log.warning("marked %s stale scoring runs failed: %s", len(marked), marked)
    return marked


def _beat(run: ScoringRun) -> None:
    ScoringRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def recency(run: ScoringRun) -> tuple[dt.date, dt.datetime, dt.datetime, int]:
    """How new a run's results are; publishing keeps a subject's grade from a run that sorts later.

    The as-of date first; then what the run could know — its cut-off, but no later than its
    start (a cut-off at the end of today still only sees what was written before the run read
    it); then the start time; then the id.
    """
    return (run.as_of, min(run.known_cutoff, run.created_at), run.created_at, run.pk)


def version_indicators(version: ModelVersion) -> list[IndicatorSpec]:
    specs = [IndicatorSpec.model_validate(i) for i in version.indicators] if version.indicators else library(version.model.pack)
    return [i for i in specs if i.enabled]


# What a run's audit event keeps: its outcome, not its timings, host and heartbeat.
RUN_AUDIT_FIELDS = (
    "version_id",
    "scheme_id",
    "as_of",
    "known_cutoff",
    "mode",
    "engine",
    "status",
    "trigger",
    "subject_count",
    "distribution",
    "error",
    "created_by_id",
    "published_at",
    "kept_newer",
)


def run_scoring(version: ModelVersion, as_of: dt.date | None = None, **kwargs: Any) -> ScoringRun:
    """Score ``version``'s subjects as of a date; see ``_run_scoring`` for the options.

    A run is one key operation with one audit event, on the run (its status, subject count and
    distribution), whoever started it; the scores and grades it writes are not audited row by row.
    """
    with key_operation() as op:
        return _run_scoring(op, version, as_of, **kwargs)


def _run_scoring(
    op: Operation,
    version: ModelVersion,
    as_of: dt.date | None = None,
    *,
    as_known_now: bool = False,
    subject_ids: list[int] | None = None,
    engine: str = "duckdb",
    publish: bool = True,
    user: Any = None,
    echo: bool = False,
    trigger: str = "manual",
) -> ScoringRun:
    as_of = as_of or timezone.localdate()
    fail_stale_runs()
    cutoff = timezone.now() if as_known_now else end_of_day(as_of)
    scheme = version.model.scheme
    run = ScoringRun.objects.create(
        version=version,
        scheme=scheme,
        as_of=as_of,
        known_cutoff=cutoff,
        mode=ScoringRun.Mode.INCREMENTAL if subject_ids is not None else ScoringRun.Mode.FULL,
        engine=engine,
        trigger=trigger,
        status=ScoringRun.Status.RUNNING,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        host=socket.gethostname()[:100],
        pid=os.getpid(),
        heartbeat_at=timezone.now(),
    )
    op.about(run, created=True, fields=RUN_AUDIT_FIELDS)
    title = f"评分 {version} 基准日 {as_of}" + ("（增量）" if subject_ids is not None else "")
    timings: dict[str, float] = {}
    try:
        with track("scoring", title, user=user, echo=echo, unit="户") as progress:
            ScoringRun.objects.filter(pk=run.pk).update(job=progress.job)
            t0 = time.perf_counter()
            card, levels = scorecard(version), scheme_spec(version)
            indicators = version_indicators(version)
            frames = extract(version.model.pack, as_of, cutoff, indicators, subject_ids)
            timings["extract"] = time.perf_counter() - t0
            _beat(run)
            progress.set_total(frames.subjects.num_rows)
            progress.note(f"已读取 {frames.rows} 条记录，计算中")
            t1 = time.perf_counter()
            table = compute(engine, frames, indicators, card, levels, as_of)
            timings["compute"] = time.perf_counter() - t1
            _beat(run)
            t2 = time.perf_counter()
            codes = [lv.code for lv in levels.levels]
            level_of = pa.array(codes).take(table.column("level_idx")).to_pylist()
            score_level_of = pa.array(codes).take(table.column("score_idx")).to_pylist()
            ids = table.column("subject_id").to_pylist()
            totals = table.column("total").to_pylist()
            details = _details(table, card)
            subs = _sub_scores(table, card)
            for start in range(0, len(ids), BATCH):
                end = min(start + BATCH, len(ids))
                write_batch(
                    [
                        (run.pk, ids[i], totals[i], level_of[i], score_level_of[i], json.dumps(subs[i]), json.dumps(details[i]))
                        for i in range(start, end)
                    ]
                )
                progress.advance(end - start)
                _beat(run)
            timings["write"] = time.perf_counter() - t2
            run.distribution = dict(sorted(Counter(level_of).items(), key=lambda kv: codes.index(kv[0])))
            run.subject_count = len(ids)
            run.freshness = frames.freshness
            run.status = ScoringRun.Status.STAGED if publish else ScoringRun.Status.DRY_RUN
            run.timings = {k: round(v, 3) for k, v in timings.items()}
            run.save()
            if publish:
                t3 = time.perf_counter()
                announce = publish_run(run, ids, level_of, totals, subs, codes)
                timings["publish"] = time.perf_counter() - t3
                t4 = time.perf_counter()
                transaction.on_commit(announce)  # immediate when no outer transaction is open
                timings["signals"] = time.perf_counter() - t4
            timings["total"] = time.perf_counter() - t0 - timings.get("signals", 0.0)  # listeners' time is their own
            run.timings = {k: round(v, 3) for k, v in timings.items()} | {"records": frames.rows}
            ScoringRun.objects.filter(pk=run.pk).update(timings=run.timings)
            progress.finish(result={"run": run.pk, "subjects": len(ids), "distribution": run.distribution}, message="完成")
    except BaseException as exc:
        run.status, run.error = ScoringRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:5000]
        ScoringRun.objects.filter(pk=run.pk).update(status=run.status, error=run.error)
        raise
    return run


SCORE_COLUMNS = ("run_id", "subject_id", "score", "level", "score_level", "sub_scores", "detail")
GRADE_COLUMNS = ("subject_id", "scheme_id", "run_id", "score", "level", "sub_scores", "as_of")


def insert_rows(model: type[Any], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERT through the Django connection (JSON columns get ready JSON text)."""
    if not rows:
        return
    q = connection.ops.quote_name
    json_cols = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{cast}" if c in json_cols else "%s" for c in columns)
    sql = f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in columns)}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def write_batch(rows: list[tuple[Any, ...]]) -> None:
    insert_rows(Score, SCORE_COLUMNS, rows)


def _details(table: pa.Table, card: Any) -> list[dict[str, Any]]:
    cols = table.column_names
    v = [(c[2:], table.column(c).to_pylist()) for c in cols if c.startswith("v_")]
    p = [(c[2:], table.column(c).to_pylist()) for c in cols if c.startswith("p_")]
    f = [(c[2:], table.column(c).to_pylist()) for c in cols if c.startswith("f_")]
    n = table.num_rows
    return [
        {
            "v": {k: vals[i] for k, vals in v},
            "p": {k: vals[i] for k, vals in p},
            "f": [k for k, vals in f if vals[i]],
        }
        for i in range(n)
    ]


def _sub_scores(table: pa.Table, card: Any) -> list[dict[str, float]]:
    cols = [(c.code, table.column(f"sub_{c.code}").to_pylist()) for c in card.categories]
    return [{k: vals[i] for k, vals in cols} for i in range(table.num_rows)]


def direction(old: str | None, new: str, codes: list[str], old_score: float | None = None, new_score: float = 0) -> str:
    if old is None or old not in codes or old == new:
        return "same-level"
    return "down" if codes.index(new) > codes.index(old) else "up"


def publish_run(
    run: ScoringRun, ids: list[int], levels: list[str], scores: list[float], subs: list[dict[str, float]], codes: list[str]
) -> Callable[[], None]:
    """Make a staged run's results the grades in force in one transaction.

    Returns the function that sends ``grade_changed``/``run_published``; the caller runs it after
    the commit (``transaction.on_commit``) so listeners only ever see grades that are in force.
    """
    with transaction.atomic():
        current = CurrentGrade.objects.select_for_update().filter(scheme=run.scheme)
        if run.mode == ScoringRun.Mode.INCREMENTAL:
            current = current.filter(subject_id__in=ids)
        before = {sid: (lvl, sc, rid) for sid, lvl, sc, rid in current.values_list("subject_id", "level", "score", "run_id")}
        sources = ScoringRun.objects.filter(pk__in={rid for *_, rid in before.values()}).only("as_of", "known_cutoff", "created_at")
        mine = recency(run)
        older = [r.pk for r in sources if recency(r) < mine]
        kept = {sid for sid, (*_, rid) in before.items() if rid not in older}  # from a newer run: newest wins
        current.filter(run_id__in=older).delete()
        insert_rows(
            CurrentGrade,
            GRADE_COLUMNS,
            [
                (sid, run.scheme_id, run.pk, scores[i], levels[i], json.dumps(subs[i]), run.as_of)
                for i, sid in enumerate(ids)
                if sid not in kept
            ],
        )
        changes = []
        for i, sid in enumerate(ids):
            old_level, old_score, _ = before.get(sid, (None, None, None))
            if sid not in kept and old_level != levels[i]:
                changes.append(
                    GradeChange(
                        subject_id=sid,
                        scheme=run.scheme,
                        run=run,
                        old_level=old_level or "",
                        new_level=levels[i],
                        old_score=old_score,
                        new_score=scores[i],
                        direction=direction(old_level, levels[i], codes),
                        as_of=run.as_of,
                    )
                )
        GradeChange.objects.bulk_create(changes, batch_size=BATCH)
        run.kept_newer = sum(1 for sid in ids if sid in kept)
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.PUBLISHED, published_at=timezone.now(), kept_newer=run.kept_newer, heartbeat_at=timezone.now()
        )
        run.status = ScoringRun.Status.PUBLISHED

    def announce() -> None:
        for c in changes:
            _robust(
                signals.grade_changed.send_robust(
                    sender=ScoringRun,
                    subject_id=c.subject_id,
                    scheme=run.scheme.code,
                    old_level=c.old_level or None,
                    new_level=c.new_level,
                    old_score=c.old_score,
                    new_score=c.new_score,
                    as_of=run.as_of,
                    run_id=run.pk,
                    direction=c.direction,
                )
            )
        _robust(
            signals.run_published.send_robust(
                sender=ScoringRun, run_id=run.pk, scheme=run.scheme.code, as_of=run.as_of, subject_count=len(ids)
            )
        )

    return announce


def _robust(responses: list[tuple[Any, Any]]) -> None:
    for receiver, result in responses:
        if isinstance(result, Exception):
            log.error("receiver %r of a scoring signal failed: %s", receiver, result, exc_info=result)
