"""The intake pipeline: read → map/standardise → validate → match → store, in committed chunks.

Every row read ends in exactly one of: accepted (a new record or subject), merged (into data we
already hold: an identical or corrected record, an existing subject) or quarantined (with every
reason), so ``accepted + merged + quarantined == rows_read`` for each batch.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from regwatch.audit.services import record_bulk
from regwatch.core.dictionaries import code_names
from regwatch.core.models import Region
from regwatch.ops.models import Job
from regwatch.ops.progress import Progress, track
from regwatch.subjects.models import Record, RecordType, Subject, SubjectKind
from regwatch.subjects.signals import announce

from .declared import default_kind
from .isolation import open_isolated
from .mapping import BLOCK, CompiledMapping, Prepared, Reason
from .matching import Match, SubjectIndex
from .models import (
    SUBJECT_TARGET,
    Batch,
    FieldMapping,
    MatchReview,
    MergeLog,
    QuarantinedRow,
    RecordLineage,
    RecordVersion,
    Source,
    SubjectLineage,
)
from .readers import Opened, ReadError, Row, json_row
from .regions import assign_regions
from .signals import batch_finished

log = logging.getLogger(__name__)
CHUNK = 2000
SUBJECT_ATTRS = ("name", "address", "legal_representative", "industry_code", "established_on")


class IntakeError(Exception):
    """A problem with the request itself (unknown source, no mapping); message in Chinese."""


def failure_reason(exc: BaseException) -> str:
    """Why an intake stopped, in Chinese: our own errors say it; anything else is named and logged."""
    if isinstance(exc, ReadError | IntakeError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "数据嵌套层数过深，无法处理，导入已停止；请检查文件是否损坏或由程序错误生成"
    if isinstance(exc, MemoryError):
        return "处理数据时内存不足，导入已停止；请拆分文件后重新上传"
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return "导入被中断（任务进程停止），本批次未完成；请重新上传"
    log.error("intake failed", exc_info=exc)
    return f"导入时发生意外错误（{type(exc).__name__}），已停止；此前已入库的数据保留，请联系管理员查看日志"


def mark_failed(batch: Batch, reason: str) -> None:
    """End a batch as failed with its reason; counters stay as the last committed chunk left them."""
    batch.status, batch.error, batch.finished_at = Batch.Status.FAILED, reason, timezone.now()
    Batch.objects.filter(pk=batch.pk).update(status=batch.status, error=reason, finished_at=batch.finished_at)
    Source.objects.filter(pk=batch.source_id).update(health=Source.Health.ERROR)


def current_mapping(source: Source, target: str | None = None) -> FieldMapping:
    qs = FieldMapping.objects.filter(source=source, is_current=True)
    if target:
        qs = qs.filter(target=target)
    mappings = list(qs)
    if not mappings:
        raise IntakeError(f"数据源“{source.name}”尚未配置字段映射" + (f"（{target}）" if target else ""))
    if len(mappings) > 1:
        raise IntakeError(f"数据源“{source.name}”有多个映射，请指定目标：" + "、".join(m.target for m in mappings))
    return mappings[0]


def _lookups() -> Any:
    cache: dict[str, dict[str, str]] = {}

    def get(code: str) -> dict[str, str]:
        if code not in cache:
            cache[code] = code_names([code]).get(code, {})
        return cache[code]

    return get


def compile_mapping(mapping: FieldMapping) -> tuple[CompiledMapping, RecordType | None]:
    record_type = None if mapping.target == SUBJECT_TARGET else RecordType.objects.get(code=mapping.target)
    compiled = CompiledMapping(mapping.fields, mapping.rules, record_type.fields if record_type else None, _lookups())
    return compiled, record_type


@dataclass
class Outcome:
    status: str  # accepted / merged / quarantined
    record: Record | None = None
    subject_id: int | None = None


@dataclass
class Context:
    source: Source
    batch: Batch
    mapping: FieldMapping
    compiled: CompiledMapping
    record_type: RecordType | None
    index: SubjectIndex
    user: Any = None
    regions: dict[str, Region | None] = field(default_factory=dict)
    kinds: dict[str, SubjectKind] = field(default_factory=dict)
    late_quarantine: list[QuarantinedRow] = field(default_factory=list)  # rows the store step refused

    def region(self, code: str) -> Region | None:
        if code not in self.regions:
            self.regions[code] = Region.objects.filter(code=code).first()
        return self.regions[code]


def _count(batch: Batch, reasons: list[Reason]) -> None:
    for r in reasons:
        key = f"{r.rule}:{r.field}" if r.field else r.rule
        batch.rule_failures[key] = batch.rule_failures.get(key, 0) + 1


def _quarantine(ctx: Context, row: Row, reasons: list[Reason], status: str = QuarantinedRow.Status.PENDING) -> QuarantinedRow:
    _count(ctx.batch, reasons)
    return QuarantinedRow(
        batch=ctx.batch,
        row_number=row.number,
        sheet=row.sheet[:64],
        raw={k: _jsonable(v) for k, v in row.values.items()},
        reasons=[r.as_dict() for r in reasons],
        status=status,
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    if isinstance(v, list | dict):
        return v
    return str(v)


def process_chunk(ctx: Context, rows: list[Row], forced_subject: int | None = None) -> list[Outcome]:
    """Store one chunk (inside the caller's transaction); counters are added to ``ctx.batch``."""
    batch = ctx.batch
    outcomes: list[Outcome] = []
    quarantine: list[QuarantinedRow] = []
    reviews: list[tuple[QuarantinedRow, Match]] = []
    prepared: list[tuple[Row, Prepared, Match]] = []
    for row in rows:
        batch.rows_read += 1
        if row.problems:
            quarantine.append(_quarantine(ctx, row, [Reason("format", "", p) for p in row.problems]))
            outcomes.append(Outcome("quarantined"))
            continue
        p = ctx.compiled.prepare(row.values)
        if p.blocking:
            quarantine.append(_quarantine(ctx, row, p.reasons))
            outcomes.append(Outcome("quarantined"))
            continue
        if ctx.record_type is None:
            prepared.append((row, p, Match(None, "subject")))
            outcomes.append(Outcome("pending"))
            continue
        match = Match(forced_subject, "review") if forced_subject else ctx.index.match(p.subject)
        if match.subject_id is None:
            reasons = [Reason("subject_match", "subject", f"未能匹配到监管主体：请核对{ctx.compiled.subject_keys()}")]
            quarantine.append(_quarantine(ctx, row, reasons))
            outcomes.append(Outcome("quarantined"))
        elif match.method == "review" and not forced_subject:
            reasons = [
                Reason(
                    "subject_review",
                    "subject",
                    f"主体匹配得分{match.score:.2f}，需人工确认是否为“{match.explanation.get('candidate', '')}”",
                )
            ]
            q = _quarantine(ctx, row, reasons, QuarantinedRow.Status.REVIEW)
            quarantine.append(q)
            reviews.append((q, match))
            outcomes.append(Outcome("quarantined"))
        else:
            prepared.append((row, p, match))
            outcomes.append(Outcome("pending"))
    stored = _store_subjects(ctx, prepared) if ctx.record_type is None else _store_records(ctx, prepared)
    it = iter(stored)
    for o in outcomes:
        if o.status == "pending":
            o.status, o.record, o.subject_id = next(it)
    QuarantinedRow.objects.bulk_create([*quarantine, *ctx.late_quarantine])
    ctx.late_quarantine.clear()
    for q, m in reviews:
        assert m.subject_id is not None
        MatchReview.objects.create(row=q, candidate_id=m.subject_id, score=round(m.score, 4), explanation=m.explanation)
    batch.accepted += sum(1 for o in outcomes if o.status == "accepted")
    batch.merged += sum(1 for o in outcomes if o.status == "merged")
    batch.quarantined += sum(1 for o in outcomes if o.status == "quarantined")
    return outcomes


def _late_quarantine(ctx: Context, row: Row, reasons: list[Reason]) -> None:
    ctx.late_quarantine.append(_quarantine(ctx, row, reasons))


def _store_records(ctx: Context, prepared: list[tuple[Row, Prepared, Match]]) -> list[tuple[str, Record | None, int | None]]:
    assert ctx.record_type is not None
    code = ctx.source.code
    refs = {p.source_ref for _, p, _ in prepared}
    existing = {r.source_ref: r for r in Record.objects.filter(source=code, source_ref__in=refs)}
    results: list[tuple[str, Record | None, int | None]] = []
    new: list[tuple[Record, Row, Prepared, Match]] = []
    changed: list[Record] = []
    versions: list[RecordVersion] = []
    replaced: list[Record] = []
    touched: list[tuple[Record, Row, Prepared, Match]] = []
    now = timezone.now()
    for row, p, match in prepared:
        assert p.occurred_on is not None and match.subject_id is not None
        summary = p.summary or f"{ctx.record_type.name} {p.source_ref if not p.source_ref.startswith('h:') else ''}".strip()
        rec = existing.get(p.source_ref)
        if rec is None:
            rec = Record(
                subject_id=match.subject_id,
                record_type=ctx.record_type,
                occurred_on=p.occurred_on,
                known_at=now,
                source=code,
                source_ref=p.source_ref,
                summary=summary[:255],
                data=p.data,
            )
            existing[p.source_ref] = rec
            new.append((rec, row, p, match))
            results.append(("accepted", rec, match.subject_id))
            continue
        if rec.pk is None:  # a duplicate row within this chunk: the first one wins
            results.append(("merged", rec, rec.subject_id))
            continue
        if (rec.occurred_on, rec.summary, rec.data, rec.subject_id) != (p.occurred_on, summary[:255], p.data, match.subject_id):
            versions.append(RecordVersion(record=rec, batch=ctx.batch, occurred_on=rec.occurred_on, summary=rec.summary, data=rec.data))
            replaced.append(rec.superseded_copy(now))  # past as-of runs keep seeing the content as it was known
            rec.occurred_on, rec.summary, rec.data, rec.subject_id, rec.known_at = (
                p.occurred_on,
                summary[:255],
                p.data,
                match.subject_id,
                now,
            )
            changed.append(rec)
            touched.append((rec, row, p, match))
            ctx.batch.updated += 1
        else:
            ctx.batch.unchanged += 1
        results.append(("merged", rec, rec.subject_id))
    if new:
        Record.objects.bulk_create([r for r, *_ in new], batch_size=1000)
        RecordLineage.objects.bulk_create(
            [
                RecordLineage(
                    record=r,
                    source=ctx.source,
                    batch=ctx.batch,
                    row_number=row.number,
                    mapping=ctx.mapping,
                    match_method=m.method,
                    warnings=[w.message for w in p.warnings],
                    refreshed_at=now,
                )
                for r, row, p, m in new
            ],
            batch_size=1000,
        )
        merges = [
            MergeLog(
                batch=ctx.batch,
                row_number=row.number,
                raw={k: _jsonable(v) for k, v in row.values.items()},
                subject_id=int(m.subject_id or 0),
                record=r,
                method=m.method,
                score=round(m.score, 4),
                explanation=m.explanation,
            )
            for r, row, p, m in new
            if m.method in ("fuzzy", "review")
        ]
        MergeLog.objects.bulk_create(merges)
    if changed:
        RecordVersion.objects.bulk_create(versions)
        Record.all_versions.bulk_create(replaced)
        Record.objects.bulk_update(changed, ["occurred_on", "summary", "data", "subject_id", "known_at"], batch_size=1000)
        for rec, row, p, m in touched:
            RecordLineage.objects.update_or_create(
                record=rec,
                defaults={
                    "source": ctx.source,
                    "batch": ctx.batch,
                    "row_number": row.number,
                    "mapping": ctx.mapping,
                    "match_method": m.method,
                    "warnings": [w.message for w in p.warnings],
                    "refreshed_at": now,
                },
            )
    ctx.batch.warnings += sum(len(p.warnings) for _, p, _ in prepared)
    return results


def _store_subjects(ctx: Context, prepared: list[tuple[Row, Prepared, Match]]) -> list[tuple[str, Record | None, int | None]]:
    results: list[tuple[str, Record | None, int | None]] = []
    usccs = {p.subject["uscc"] for _, p, _ in prepared}
    existing = {s.uscc: s for s in Subject.objects.filter(uscc__in=usccs)}
    lineage: list[tuple[Subject, Row, list[str]]] = []
    for row, p, _ in prepared:
        s = p.subject
        subject = existing.get(s["uscc"])
        region = ctx.region(s.get("region_code") or "")
        if region is None:
            label = ctx.compiled.label("subject.region_code")
            _late_quarantine(ctx, row, [ctx.compiled.reason("region", "subject.region_code", f"{label}“{s.get('region_code')}”不存在")])
            results.append(("quarantined", None, None))
            continue
        kind, problem = _kind(ctx, s.get("kind") or "")
        if kind is None:
            _late_quarantine(ctx, row, [ctx.compiled.reason("dictionary", "subject.kind", problem)])
            results.append(("quarantined", None, None))
            continue
        values = {a: s[a] for a in SUBJECT_ATTRS if s.get(a) not in (None, "")}
        if subject is None:
            subject = Subject.objects.create(uscc=s["uscc"], region=region, kind=kind, **values)
            existing[s["uscc"]] = subject
            ctx.index.add(subject.pk, subject.uscc, subject.name, subject.address, subject.legal_representative, region.path)
            lineage.append((subject, row, ["uscc", "region", *values]))
            results.append(("accepted", None, subject.pk))
            continue
        diff = {k: v for k, v in values.items() if getattr(subject, k) != v}
        if subject.region_id != region.pk:
            diff["region"] = region
        if diff:
            for k, v in diff.items():
                setattr(subject, k, v)
            subject.save()  # audited: the previous values go into the audit log
            ctx.batch.updated += 1
            lineage.append((subject, row, list(diff)))
        else:
            ctx.batch.unchanged += 1
        results.append(("merged", None, subject.pk))
    now = timezone.now()
    for subject, row, fields in lineage:
        for f in fields:
            SubjectLineage.objects.update_or_create(
                subject=subject,
                field=f,
                defaults={"source": ctx.source, "batch": ctx.batch, "row_number": row.number, "mapping": ctx.mapping, "refreshed_at": now},
            )
    return results


def _kind(ctx: Context, code: str) -> tuple[SubjectKind | None, str]:
    """The row's subject kind: the mapping's value, else the pack's declared default; never a guess."""
    if code in ctx.kinds:  # "" caches the pack's default
        return ctx.kinds[code], ""
    pack = ctx.source.pack
    wanted = code
    if not wanted:
        wanted = default_kind(pack)
        if not wanted:
            return None, "未能确定主体类型：映射未给出主体类型，业务包也未声明默认主体类型"
    kind = SubjectKind.objects.filter(code=wanted).first()
    if kind is None:
        return None, f"主体类型“{wanted}”不存在"
    if pack and kind.pack != pack:
        return None, f"主体类型“{kind.name}”不属于本数据源的业务包"
    ctx.kinds[code] = kind
    return kind, ""


def _save_counters(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(
        rows_read=batch.rows_read,
        accepted=batch.accepted,
        merged=batch.merged,
        quarantined=batch.quarantined,
        updated=batch.updated,
        unchanged=batch.unchanged,
        warnings=batch.warnings,
        rule_failures=batch.rule_failures,
        notes=batch.notes,
    )


def chunks(rows: Iterable[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def run_batch(
    source: Source,
    opened: Opened,
    *,
    target: str | None = None,
    user: Any = None,
    echo: bool = False,
    filename: str = "",
    channel: str = Source.Kind.FILE,
    total: int | None = None,
    batch: Batch | None = None,
) -> Batch:
    """Run the rows of ``opened`` into a batch; any failure on the way ends it failed, with the reason."""
    mapping = current_mapping(source, target)
    compiled, record_type = compile_mapping(mapping)
    batch = batch or Batch.objects.create(source=source, channel=channel, filename=filename[:255], created_by=_user(user))
    try:
        _run_batch(source, opened, batch, mapping, compiled, record_type, user=user, echo=echo, filename=filename, total=total)
    except BaseException as exc:
        if batch.status != Batch.Status.FAILED:
            fail_running(batch, failure_reason(exc))
        if not isinstance(exc, Exception):
            raise  # the process is stopping
    return batch


def fail_running(batch: Batch, reason: str, progress: Progress | None = None) -> None:
    """End a started batch and its job as failed (the job shows the Chinese reason, not a traceback)."""
    mark_failed(batch, reason)
    if progress is not None:
        progress.fail(reason)
    elif batch.job_id:
        Job.objects.filter(pk=batch.job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
            status=Job.Status.FAILED, error=reason, finished_at=timezone.now()
        )
    assign_regions(batch)


STALE_AFTER = dt.timedelta(minutes=10)  # a running intake reports progress at least every chunk (2,000 rows)
NEVER_STARTED_AFTER = dt.timedelta(hours=24)  # a queued upload whose task never ran


def fail_stale_batches() -> list[int]:
    """Batches left "running" by a worker that died are failed with the reason; returns their ids.

    A batch whose job has not moved for ``STALE_AFTER`` lost its process; one that never got a job
    within ``NEVER_STARTED_AFTER`` lost its queued task.  Run when the worker starts and every 5 minutes.
    """
    now = timezone.now()
    marked = []
    running = Batch.objects.filter(status=Batch.Status.RUNNING).select_related("job")
    for batch in running:
        if batch.job is not None and batch.job.status in (Job.Status.PENDING, Job.Status.RUNNING):
            if now - batch.job.updated_at < STALE_AFTER:
                continue
            when = timezone.localtime(batch.job.updated_at).strftime("%Y-%m-%d %H:%M")
            reason = (
                f"导入进程已中止（最近一次进展 {when}，此后超过 {STALE_AFTER.seconds // 60} 分钟无响应），"
                "本批次未完成，已标记为失败；已入库的数据保留，请重新上传"
            )
        elif batch.job is None and now - batch.started_at >= NEVER_STARTED_AFTER:
            reason = "导入任务排队超过 24 小时仍未执行（任务进程可能未运行），已标记为失败；请重新上传"
        else:
            continue
        if Batch.objects.filter(pk=batch.pk, status=Batch.Status.RUNNING).exists():
            fail_running(batch, reason)
            marked.append(batch.pk)
    return marked


def _run_batch(
    source: Source,
    opened: Opened,
    batch: Batch,
    mapping: FieldMapping,
    compiled: CompiledMapping,
    record_type: RecordType | None,
    *,
    user: Any,
    echo: bool,
    filename: str,
    total: int | None,
) -> None:
    batch.mapping, batch.encoding = mapping, opened.encoding
    batch.notes = list(opened.notes)
    if opened.headers:
        missing = [h for h in compiled.headers_needed if h not in opened.headers]
        if missing:
            batch.notes.append("表头缺少映射所需的列：" + "、".join(missing))
        extra = [h for h in opened.headers if h not in compiled.headers_needed]
        if extra:
            batch.notes.append("以下列未配置映射，已忽略：" + "、".join(extra[:20]))
    Batch.objects.filter(pk=batch.pk).update(mapping=mapping, encoding=opened.encoding)
    ctx = Context(source, batch, mapping, compiled, record_type, SubjectIndex(source.pack or None), user)
    codes = {record_type.code} if record_type else set()
    with track("ingest", f"导入 {source.name} {filename}".strip(), total=total, user=user, echo=echo) as progress:
        Batch.objects.filter(pk=batch.pk).update(job=progress.job)
        batch.job = progress.job
        try:
            _run_chunks(ctx, opened.rows, progress, codes)
        except BaseException as exc:
            fail_running(batch, failure_reason(exc), progress)
            if not isinstance(exc, Exception):
                raise
            return
        for note in opened.notes:  # notes added while reading (empty sheets)
            if note not in batch.notes:
                batch.notes.append(note)
        batch.status = Batch.Status.DONE
        batch.finished_at = timezone.now()
        _save_counters(batch)
        Batch.objects.filter(pk=batch.pk).update(status=batch.status, finished_at=batch.finished_at)
        progress.finish(result=summary(batch), message=f"完成：读取 {batch.rows_read} 行")
    _after(source, batch)
    assign_regions(batch)  # data scope; before the quality gate, whose measurements take the batch's region
    _quality(source, batch)


def _quality(source: Source, batch: Batch) -> None:
    """The quality gate (质检) listens: regwatch.quality measures the batch against its dataset's rules."""
    batch.mapping = batch.mapping or current_mapping(source)
    batch_finished.send(sender=Batch, source=source, batch=batch)


def _run_chunks(ctx: Context, rows: Iterable[Row], progress: Progress, codes: set[str]) -> None:
    batch = ctx.batch
    for chunk in chunks(rows):
        with transaction.atomic():
            outcomes = process_chunk(ctx, chunk)
            subjects = {o.subject_id for o in outcomes if o.subject_id and o.status in ("accepted", "merged")}
            announce(subjects, codes, "intake")
            _save_counters(batch)
        progress.advance(len(chunk), message=f"新增 {batch.accepted} · 合并 {batch.merged} · 隔离 {batch.quarantined}")
    if batch.accepted:
        model = Subject if ctx.record_type is None else Record
        record_bulk(
            model, {"action": "intake", "batch": batch.pk, "source": ctx.source.code, "accepted": batch.accepted, "merged": batch.merged}
        )


def _after(source: Source, batch: Batch) -> None:
    ratio = batch.quarantined / batch.rows_read if batch.rows_read else 0
    health = Source.Health.OK if ratio <= 0.05 else Source.Health.WARNING
    Source.objects.filter(pk=source.pk).update(last_received_at=timezone.now(), health=health)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def fail_batch(source: Source, message: str, *, user: Any = None, filename: str = "", channel: str = Source.Kind.FILE) -> Batch:
    batch = Batch.objects.create(
        source=source,
        channel=channel,
        filename=filename[:255],
        created_by=_user(user),
        status=Batch.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
    )
    Source.objects.filter(pk=source.pk).update(health=Source.Health.ERROR)
    assign_regions(batch)
    return batch


def ingest_file(
    source: Source, path: str | Path, *, target: str | None = None, user: Any = None, echo: bool = False, batch: Batch | None = None
) -> Batch:
    """Ingest one file; an unreadable file gives a FAILED batch whose ``error`` says why (in Chinese)."""
    name = batch.filename if batch and batch.filename else Path(path).name
    if batch is None:
        current_mapping(source, target)  # fail early, before a batch exists
    opened: Opened | None = None
    try:
        opened = open_isolated(path)  # a reader blowing up on a hostile file takes down only its child process
        total = _count_lines(path) if opened.format == "csv" else None
        return run_batch(source, opened, target=target, user=user, echo=echo, filename=name, total=total, batch=batch)
    except BaseException as exc:  # reading, mapping or storing: the batch ends failed, with the reason
        reason = failure_reason(exc)
        if batch is not None:
            fail_running(batch, reason)
            batch.refresh_from_db()
            failed = batch
        else:
            failed = fail_batch(source, reason, user=user, filename=name)
        if not isinstance(exc, Exception):
            raise
        return failed
    finally:
        if opened is not None:
            opened.close()


def _count_lines(path: str | Path) -> int | None:
    """Rows in a CSV for the progress bar (a fast byte scan; quoted newlines make it an estimate)."""
    n = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
    return max(n - 1, 0) or None


def ingest_records(source: Source, records: list[dict[str, Any]], *, user: Any = None, channel: str = Source.Kind.PUSH) -> Batch:
    opened = Opened("json", "utf-8", iter(json_row(i, r, what="该条记录") for i, r in enumerate(records, start=1)))
    return run_batch(source, opened, user=user, channel=channel, filename=f"{channel}-{timezone.now():%Y%m%d%H%M%S}", total=len(records))


def summary(batch: Batch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "source": batch.source.code,
        "status": batch.status,
        "rows_read": batch.rows_read,
        "accepted": batch.accepted,
        "merged": batch.merged,
        "quarantined": batch.quarantined,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "warnings": batch.warnings,
        "rule_failures": batch.rule_failures,
        "notes": batch.notes,
        "error": batch.error,
    }


# --- fixing quarantined rows and deciding reviews ---------------------------------------------


def resubmit(row: QuarantinedRow, values: dict[str, Any], user: Any, subject_id: int | None = None) -> tuple[bool, list[dict[str, str]]]:
    """Run a corrected row through the batch's mapping; on success it is stored and counted as fixed.

    A failed retry returns every reason as stored on a quarantined row (``message``, and ``column``
    when it belongs to one column, so the fix form shows it beside that field).
    """
    batch = row.batch
    mapping = batch.mapping or current_mapping(batch.source)
    compiled, record_type = compile_mapping(mapping)
    shadow = Batch(pk=batch.pk, source=batch.source, rule_failures={})  # counters of the retry stay off the batch
    ctx = Context(batch.source, shadow, mapping, compiled, record_type, SubjectIndex(batch.source.pack or None), user)
    with transaction.atomic():
        outcomes = process_chunk(ctx, [Row(row.row_number, values, row.sheet)], forced_subject=subject_id)
        o = outcomes[0]
        if o.status == "quarantined":
            latest = QuarantinedRow.objects.filter(batch=batch, row_number=row.row_number).exclude(pk=row.pk).order_by("-pk").first()
            reasons = list(latest.reasons) if latest else [{"message": "仍未通过校验"}]
            if latest:
                latest.delete()  # the retry's own quarantine row; the original stays as the one to fix
            return False, reasons
        QuarantinedRow.objects.filter(pk=row.pk).update(
            status=QuarantinedRow.Status.FIXED,
            fixed_raw=values,
            resubmitted_at=timezone.now(),
            record=o.record if o.record and o.record.pk else None,
        )
        Batch.objects.filter(pk=batch.pk).update(fixed=F("fixed") + 1)
        announce({o.subject_id} if o.subject_id else set(), {record_type.code} if record_type else set(), "intake")
    return True, []


def decide_review(review: MatchReview, confirm: bool, user: Any) -> tuple[bool, list[dict[str, str]]]:
    review.status = MatchReview.Status.CONFIRMED if confirm else MatchReview.Status.REJECTED
    review.decided_by, review.decided_at = _user(user), timezone.now()
    review.save()
    row = review.row
    if not confirm:
        QuarantinedRow.objects.filter(pk=row.pk).update(status=QuarantinedRow.Status.PENDING)
        return True, []
    return resubmit(row, row.raw, user, subject_id=review.candidate_id)


def undo_merge(log: MergeLog, user: Any) -> None:
    """Take a merged row back out of the subject: the record goes, the row returns to quarantine."""
    with transaction.atomic():
        if log.record_id:
            Record.objects.filter(pk=log.record_id).delete()
        QuarantinedRow.objects.create(
            batch=log.batch,
            row_number=log.row_number,
            raw=log.raw,
            reasons=[{"rule": "merge_undone", "field": "subject", "message": "合并已撤销，请核对主体后重新提交", "severity": BLOCK}],
            region=log.batch.region,
        )
        log.undone_at, log.undone_by = timezone.now(), _user(user)
        log.save(update_fields=["undone_at", "undone_by"])
