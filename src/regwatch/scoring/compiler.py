"""Compile indicator definitions and a scorecard to ONE set-based Ibis expression.

The same expression runs on DuckDB (in-process, default) or Spark (local PySpark): both engines
get the same Arrow tables and the same Ibis tree, so they compute the same values.  Nothing here
loops over subjects: record aggregations are conditional aggregates in one GROUP BY, then
indicator values, points, category sub-scores, the total, the level and the floors are columns.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from regwatch.indicators import expr
from regwatch.indicators.spec import AggregateCalc, AttributeCalc, ExpressionCalc, IndicatorSpec, RecordFilter, TagCalc, derived_order

from .data import Frames, day_number
from .spec import GradeSchemeSpec, Item, ScorecardSpec

F64 = "float64"
ROUND = 6


class Engine:
    name = ""

    def table(self, name: str, data: pa.Table) -> Any:
        raise NotImplementedError

    def execute(self, expression: Any) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self) -> None:
        self.con = ibis.duckdb.connect()

    def table(self, name: str, data: pa.Table) -> Any:
        self.con.con.register(name, data)
        return self.con.table(name)

    def execute(self, expression: Any) -> pa.Table:
        return self.con.to_pyarrow(expression)

    def close(self) -> None:
        self.con.disconnect()


_spark_lock = threading.Lock()
_spark: Any = None


def spark_session() -> Any:
    """One local Spark session per process (starting the JVM takes seconds)."""
    global _spark
    with _spark_lock:
        if _spark is None:
            from pyspark.sql import SparkSession

            _spark = (
                SparkSession.builder.master("local[2]")
                .appName("regwatch-scoring")
                .config("spark.sql.ansi.enabled", "false")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.memory", "1g")
                .getOrCreate()
            )
            _spark.sparkContext.setLogLevel("ERROR")
        return _spark


class SparkEngine(Engine):
    name = "spark"

    def __init__(self) -> None:
        self.session = spark_session()
        self.con = ibis.pyspark.connect(self.session)
        self.views: list[str] = []

    def table(self, name: str, data: pa.Table) -> Any:
        view = f"{name}_{uuid.uuid4().hex[:8]}"
        df = self.session.createDataFrame(data) if data.num_rows else self.session.createDataFrame([], _spark_schema(data.schema))
        df.createOrReplaceTempView(view)
        self.views.append(view)
        return self.con.table(view)

    def execute(self, expression: Any) -> pa.Table:
        return self.con.to_pyarrow(expression)

    def close(self) -> None:
        for v in self.views:
            self.session.catalog.dropTempView(v)


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    mapping = {pa.int64(): T.LongType(), pa.float64(): T.DoubleType(), pa.bool_(): T.BooleanType(), pa.string(): T.StringType()}
    return T.StructType([T.StructField(f.name, mapping.get(f.type, T.StringType()), True) for f in schema])


def make_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"未知的计算引擎 {name}")


@dataclass
class Compiled:
    indicator_codes: list[str]
    items: list[tuple[str, Item]]  # (category code, item)
    floors: list[str]


def _filter(R: Any, f: RecordFilter) -> Any:
    col = R[f"d_{f.field}"]
    v = f.value
    ops = {
        "eq": lambda: col == v,
        "ne": lambda: (col != v) | col.isnull(),
        "in": lambda: col.isin(v),
        "not_in": lambda: ~col.isin(v) | col.isnull(),
        "gt": lambda: col > v,
        "ge": lambda: col >= v,
        "lt": lambda: col < v,
        "le": lambda: col <= v,
        "is_null": lambda: col.isnull(),
        "not_null": lambda: col.notnull(),
    }
    return ops[f.op]().fill_null(False)


def _measure(R: Any, c: AggregateCalc, where: Any) -> Any:
    if c.kind in ("count", "days_since_last") or (c.kind == "trend_ratio" and not c.field):
        return R.occ.max(where=where) if c.kind == "days_since_last" else R.subject_id.count(where=where)
    col = R[f"d_{c.field}"]
    if c.kind == "distinct_count":
        return col.nunique(where=where)
    col = col.cast(F64)
    return {"sum": col.sum, "max": col.max, "min": col.min, "mean": col.mean, "trend_ratio": col.sum}[c.kind](where=where)


def build(
    engine: Engine, frames: Frames, indicators: list[IndicatorSpec], card: ScorecardSpec, scheme: GradeSchemeSpec, as_of: dt.date
) -> Any:
    D = day_number(as_of)
    R = engine.table("records", frames.records)
    S = engine.table("subjects", frames.subjects)
    base = [i for i in indicators if not isinstance(i.calc, ExpressionCalc)]

    aggs: dict[str, Any] = {}
    for ind in base:
        c = ind.calc
        if not isinstance(c, AggregateCalc):
            continue
        cond = R.rtype.isin(c.record_types)
        for f in c.where:
            cond = cond & _filter(R, f)
        current = cond & (R.occ > D - c.window) if c.window else cond
        aggs[f"g_{ind.code}"] = _measure(R, c, current)
        if c.kind == "trend_ratio":
            assert c.window
            previous = cond & (R.occ > D - 2 * c.window) & (R.occ <= D - c.window)
            aggs[f"h_{ind.code}"] = _measure(R, c, previous)
    T = S
    if aggs:
        A = R.group_by("subject_id").aggregate(**aggs)
        T = S.left_join(A, "subject_id")

    values: dict[str, Any] = {}
    for ind in base:
        c = ind.calc
        if isinstance(c, AggregateCalc):
            g = T[f"g_{ind.code}"]
            if c.kind in ("count", "distinct_count", "sum"):
                v = g.cast(F64).fill_null(0.0)
            elif c.kind == "days_since_last":
                v = (ibis.literal(D, type="int64") - g).cast(F64)
            elif c.kind == "trend_ratio":
                cur = g.cast(F64).fill_null(0.0)
                prev = T[f"h_{ind.code}"].cast(F64).fill_null(0.0)
                s = float(c.smoothing)
                v = ibis.ifelse((prev + s) == 0, ibis.null(F64), (cur + s) / (prev + s))
            else:
                v = g.cast(F64)
            if c.default is not None:
                v = v.fill_null(float(c.default))
        elif isinstance(c, AttributeCalc):
            if c.attribute == "established_years":
                v = ((ibis.literal(D, type="int64") - T.est).cast(F64) / 365.25).floor().cast(F64)
            else:
                col = T[f"a_{c.attribute[11:]}"] if c.attribute.startswith("attributes.") else T[c.attribute]
                v = col.isin(c.equals).fill_null(False).cast(F64) if c.equals is not None else col.cast(F64)
        elif isinstance(c, TagCalc):
            v = T[f"t_{c.tag}"].cast(F64).fill_null(0.0)
        else:  # pragma: no cover - excluded above
            continue
        values[f"v_{ind.code}"] = _scoped(T, ind, v)
    T = T.mutate(**values) if values else T
    for ind in derived_order(indicators):
        assert isinstance(ind.calc, ExpressionCalc)
        env = {i.code: T[f"v_{i.code}"] for i in indicators if f"v_{i.code}" in T.columns}
        T = T.mutate(**{f"v_{ind.code}": _scoped(T, ind, expr.compile_ibis(ind.calc.expr, env).cast(F64))})

    points: dict[str, Any] = {}
    for cat in card.categories:
        for item in cat.items:
            v = T[f"v_{item.indicator}"]
            if item.bins is not None:
                branches = [(v.isnull(), ibis.literal(float(item.missing)))]
                for b in reversed(item.bins):
                    branches.append((v >= b.from_, ibis.literal(float(b.points))))
                points[f"p_{item.indicator}"] = ibis.cases(*branches, else_=ibis.literal(float(item.base)))
            else:
                assert item.formula is not None
                p = expr.compile_ibis(item.formula, {"value": v}).cast(F64)
                points[f"p_{item.indicator}"] = ibis.ifelse(v.isnull(), ibis.literal(float(item.missing)), p).fill_null(float(item.missing))
    T = T.mutate(**points)
    subs = {}
    for cat in card.categories:
        total = sum((T[f"p_{i.indicator}"] for i in cat.items[1:]), T[f"p_{cat.items[0].indicator}"])
        subs[f"sub_{cat.code}"] = total.clip(lower=0.0, upper=100.0)
    T = T.mutate(**subs)
    total = sum(
        (T[f"sub_{c.code}"] * (c.weight / 100.0) for c in card.categories[1:]),
        T[f"sub_{card.categories[0].code}"] * (card.categories[0].weight / 100.0),
    )
    T = T.mutate(total=total)
    score_idx = sum(((T.total >= lv.min).cast("int64") for lv in scheme.levels[1:]), ibis.literal(0, type="int64"))
    env = {i.code: T[f"v_{i.code}"] for i in indicators}
    flags = {f"f_{fl.code}": expr.compile_ibis(fl.when, env).cast("boolean").fill_null(False) for fl in card.floors}
    T = T.mutate(score_idx=score_idx, **flags)
    level_idx = T.score_idx
    if card.floors:
        level_idx = ibis.greatest(
            T.score_idx, *(ibis.ifelse(T[f"f_{fl.code}"], scheme.index(fl.min_level), 0).cast("int64") for fl in card.floors)
        )
    T = T.mutate(level_idx=level_idx)
    keep = [
        "subject_id",
        *[c for c in T.columns if c[:2] in ("v_", "p_", "f_") or c.startswith("sub_")],
        "total",
        "score_idx",
        "level_idx",
    ]
    return T.select(*keep).order_by("subject_id")


def _scoped(T: Any, ind: IndicatorSpec, v: Any) -> Any:
    cond = None
    if ind.subject_kinds:
        cond = T.kind.isin(ind.subject_kinds)
    if ind.industries:
        by_industry = ibis.or_(*(T.industry_code.startswith(p) for p in ind.industries))
        cond = by_industry if cond is None else cond & by_industry
    return v if cond is None else ibis.ifelse(cond.fill_null(False), v, ibis.null(F64))


def compute(
    engine_name: str, frames: Frames, indicators: list[IndicatorSpec], card: ScorecardSpec, scheme: GradeSchemeSpec, as_of: dt.date
) -> pa.Table:
    engine = make_engine(engine_name)
    try:
        result = engine.execute(build(engine, frames, indicators, card, scheme, as_of))
    finally:
        engine.close()
    return normalise(result)


def normalise(table: pa.Table) -> pa.Table:
    """Round floats and fix types so both engines give byte-identical results."""
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_floating(col.type):
            col = pc.round(col.cast(pa.float64()), ROUND)
        elif pa.types.is_integer(col.type):
            col = col.cast(pa.int64())
        cols[name] = col
    return pa.table(cols)
