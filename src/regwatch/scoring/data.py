"""Extract what a run needs from the application database into Arrow tables.

Only the columns the indicators use are read, through the Django connection cursor in chunks;
JSON ``data``/``attributes`` fields are flattened by Arrow's JSON reader (typed by the record
types' field definitions), not row by row in Python.  Dates become day numbers (days since
1970-01-01) so window arithmetic is plain integer arithmetic on every engine.

Reproducibility: a run as of D sees a record only if ``occurred_on <= D`` and ``known_at <
cutoff`` (and, for a version a correction replaced, ``superseded_at >= cutoff``) where the cutoff
is 00:00 of D+1 in Asia/Shanghai (the end of D), or "now" for a run "as known now".  Subjects'
kind, status, industry, founding date and attributes are the ``SubjectVersion`` in force on D
as known at the cutoff.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson
from django.db import connection

from regwatch.indicators.spec import AggregateCalc, AttributeCalc, IndicatorSpec, TagCalc
from regwatch.subjects.models import Record, RecordType, Subject, SubjectKind, SubjectTag, SubjectVersion

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = dt.date(1970, 1, 1)
CHUNK = 50_000


def end_of_day(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` in Asia/Shanghai: records known before it count."""
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


@dataclass
class Frames:
    records: pa.Table
    subjects: pa.Table
    freshness: dict[str, str] = field(default_factory=dict)
    rows: int = 0


def _day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _text_sql(column: str) -> str:
    return f"CAST({column} AS TEXT)" if connection.vendor == "postgresql" else column


def _iso(value: Any) -> str:
    """A timestamp from the cursor (datetime on PostgreSQL, UTC text on SQLite) as ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    parsed = dt.datetime.fromisoformat(str(value))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).isoformat()


def _arrow_type(kind: str) -> pa.DataType:
    return {"boolean": pa.bool_(), "integer": pa.float64(), "decimal": pa.float64()}.get(kind, pa.string())


def _fetch(qs: Any, names: list[str]) -> dict[str, list[Any]]:
    sql, params = qs.query.sql_with_params()
    return _fetch_sql(sql, list(params), names)


def _fetch_sql(sql: str, params: list[Any], names: list[str]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {n: [] for n in names}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            for name, values in zip(names, zip(*rows, strict=True), strict=True):
                columns[name].extend(values)
    return columns


def _flatten(texts: list[Any], schema: pa.Schema, prefix: str) -> dict[str, pa.Array]:
    """Flatten JSON objects into typed columns (Arrow's reader; Python fallback on bad values)."""
    n = len(texts)
    if not len(schema) or not n:
        return {f"{prefix}{f.name}": pa.nulls(n, f.type) for f in schema}
    lines = [(t if isinstance(t, str) else json.dumps(t or {})) or "{}" for t in texts]
    try:
        opts = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore", newlines_in_values=True)
        table = pajson.read_json(io.BytesIO("\n".join(lines).encode()), parse_options=opts)
        if table.num_rows == n:
            return {f"{prefix}{f.name}": table.column(f.name).combine_chunks() for f in schema}
    except pa.ArrowInvalid:
        pass
    out: dict[str, pa.Array] = {}
    parsed = [json.loads(line) if line else {} for line in lines]
    for f in schema:
        values = [_coerce(p.get(f.name) if isinstance(p, dict) else None, f.type) for p in parsed]
        out[f"{prefix}{f.name}"] = pa.array(values, type=f.type)
    return out


def _coerce(v: Any, t: pa.DataType) -> Any:
    try:
        if v is None:
            return None
        if t == pa.bool_():
            return v if isinstance(v, bool) else str(v).lower() in ("1", "true", "是", "yes")
        if t == pa.float64():
            return float(v)
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        return None


def _subjects_in_force(pack: str, as_of: dt.date, cutoff: dt.datetime, subject_ids: list[int] | None) -> dict[str, list[Any]]:
    """Each subject's graded fields as in force on ``as_of``, as known before ``cutoff``.

    Per subject, the ``SubjectVersion`` rows known before the cut-off and in force by D (valid
    from null or ≤ D) rank first, the latest ``valid_from`` then the latest known winning; when
    none qualifies the earliest version stands for the past (the values the subject was first
    known with).  A subject without any version row falls back to its current values.
    """
    q = connection.ops.quote_name
    s, v = q(Subject._meta.db_table), q(SubjectVersion._meta.db_table)
    members = f"{s}.{q('pack')} = %s"
    params: list[Any] = [pack]
    if subject_ids is not None:
        members += f" AND {s}.{q('id')} IN ({', '.join(['%s'] * len(subject_ids)) or 'NULL'})"
        params.extend(subject_ids)
    ok = f"CASE WHEN {q('known_at')} < %s AND ({q('valid_from')} IS NULL OR {q('valid_from')} <= %s) THEN 1 ELSE 0 END"
    ranked = (
        f"SELECT *, ROW_NUMBER() OVER (PARTITION BY {q('subject_id')} ORDER BY ok DESC, "
        f"CASE WHEN ok = 1 THEN COALESCE({_day_sql(q('valid_from'))}, -1000000) ELSE 0 END DESC, "
        f"CASE WHEN ok = 1 THEN {q('known_at')} END DESC, CASE WHEN ok = 1 THEN {q('id')} ELSE -{q('id')} END DESC) AS rn "
        f"FROM (SELECT {v}.*, {ok} AS ok FROM {v} WHERE {q('subject_id')} IN (SELECT {s}.{q('id')} FROM {s} WHERE {members})) AS versions"
    )

    def col(name: str) -> str:
        return f"CASE WHEN cv.{q('id')} IS NULL THEN {s}.{q(name)} ELSE cv.{q(name)} END"

    sql = (
        f"SELECT {s}.{q('id')}, {col('kind_id')}, {col('industry_code')}, {col('status')}, "
        f"{_day_sql(col('established_on'))}, {_text_sql(col('attributes'))} "
        f"FROM {s} LEFT JOIN ({ranked}) AS cv ON cv.{q('subject_id')} = {s}.{q('id')} AND cv.rn = 1 WHERE {members}"
    )
    known = connection.ops.adapt_datetimefield_value(cutoff)
    day = connection.ops.adapt_datefield_value(as_of)
    return _fetch_sql(sql, [known, day, *params, *params], ["id", "kind", "ind", "status", "est", "a"])


def extract(
    pack: str, as_of: dt.date, cutoff: dt.datetime, indicators: list[IndicatorSpec], subject_ids: list[int] | None = None
) -> Frames:
    aggs = [i.calc for i in indicators if isinstance(i.calc, AggregateCalc)]
    codes = sorted({c for a in aggs for c in a.record_types})
    fields = sorted({f for a in aggs for f in a.fields_used()})
    field_kinds: dict[str, set[str]] = {f: set() for f in fields}
    for rt in RecordType.objects.filter(code__in=codes):
        for fd in rt.fields:
            if fd.get("name") in field_kinds:
                field_kinds[fd["name"]].add(fd.get("type", "text"))
    record_schema = pa.schema([(f, _arrow_type(next(iter(k)) if len(k) == 1 else "text")) for f, k in field_kinds.items()])

    table = Record._meta.db_table
    type_ids = dict(RecordType.objects.filter(code__in=codes, pack=pack).values_list("pk", "code"))
    # Record types belong to one pack, so filtering on them selects the pack's records without a join.
    # A full run reads nearly every record: SQLite (no planner statistics) would otherwise walk an
    # index and fetch rows one by one, which is several times slower than one sequential scan.
    q = connection.ops.quote_name
    scan = " NOT INDEXED" if connection.vendor == "sqlite" and subject_ids is None else ""
    where = [
        f"{q('record_type_id')} IN ({', '.join(['%s'] * len(type_ids))})" if type_ids else "1 = 0",
        f"{q('occurred_on')} <= %s",
        f"{q('known_at')} < %s",
        # a corrected record's earlier version counts until the correction became known
        f"({q('superseded_at')} IS NULL OR {q('superseded_at')} >= %s)",
    ]
    known = connection.ops.adapt_datetimefield_value(cutoff)
    params: list[Any] = [*type_ids, connection.ops.adapt_datefield_value(as_of), known, known]
    if subject_ids is not None:
        where.append(f"{q('subject_id')} IN ({', '.join(['%s'] * len(subject_ids))})" if subject_ids else "1 = 0")
        params.extend(subject_ids)
    sql = (
        f"SELECT {q('subject_id')}, {q('record_type_id')}, {_day_sql(q('occurred_on'))}, {q('source')}, {_text_sql(q('data'))} "
        f"FROM {q(table)}{scan} WHERE {' AND '.join(where)}"
    )
    rec = _fetch_sql(sql, params, ["s", "t", "o", "src", "d"])
    type_keys = pa.array(list(type_ids), pa.int64())
    type_codes = pa.array(list(type_ids.values()), pa.string())
    columns = {
        "subject_id": pa.array(rec["s"], pa.int64()),
        "rtype": type_codes.take(pc.index_in(pa.array(rec["t"], pa.int64()), value_set=type_keys)),
        "occ": pa.array(rec["o"], pa.int64()),
        "source": pa.array(rec["src"], pa.string()),
        **_flatten(rec["d"], record_schema, "d_"),
    }
    record_table = pa.table(columns)

    attrs = sorted(
        {i.calc.attribute[11:] for i in indicators if isinstance(i.calc, AttributeCalc) and i.calc.attribute.startswith("attributes.")}
    )
    attr_kinds: dict[str, str] = {}
    for kind in SubjectKind.objects.filter(pack=pack):
        for a in kind.attributes:
            if a.get("name") in attrs:
                attr_kinds[a["name"]] = a.get("type", "text")
    attr_schema = pa.schema([(a, _arrow_type(attr_kinds.get(a, "text"))) for a in attrs])
    sub = _subjects_in_force(pack, as_of, cutoff, subject_ids)
    kind_codes = dict(SubjectKind.objects.values_list("pk", "code"))
    ids = pa.array(sub["id"], pa.int64())
    subject_columns: dict[str, Any] = {
        "subject_id": ids,
        "kind": pa.array([kind_codes.get(k) for k in sub["kind"]], pa.string()),
        "industry_code": pa.array(sub["ind"], pa.string()),
        "status": pa.array(sub["status"], pa.string()),
        "est": pa.array(sub["est"], pa.int64()),
        **_flatten(sub["a"], attr_schema, "a_"),
    }
    for tag in sorted({i.calc.tag for i in indicators if isinstance(i.calc, TagCalc)}):
        tagged = SubjectTag.objects.filter(subject__pack=pack, tag__code=tag, assigned_at__lt=cutoff).values_list("subject_id", flat=True)
        subject_columns[f"t_{tag}"] = pc.cast(pc.is_in(ids, value_set=pa.array(list(tagged), pa.int64())), pa.int64())
    # Freshness: the latest known_at per source among the records this run may see.
    fresh_where = where[:4] if subject_ids is None else where
    fresh = _fetch_sql(
        f"SELECT {q('source')}, MAX({q('known_at')}) FROM {q(table)}{scan} WHERE {' AND '.join(fresh_where)} GROUP BY {q('source')}",
        params if subject_ids is not None else params[: len(type_ids) + 3],
        ["source", "latest"],
    )
    freshness = {src: _iso(latest) for src, latest in zip(fresh["source"], fresh["latest"], strict=True)}
    return Frames(record_table, pa.table(subject_columns), freshness, record_table.num_rows)
