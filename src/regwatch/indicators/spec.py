"""Declarative indicator calculations, validated with pydantic (unknown keys are refused).

Time windows (``window`` in days) are relative to the as-of date D and cover
``D - window < occurred_on <= D``: the start edge is **exclusive**, the as-of day **inclusive**
(a 365-day window as of 2026-11-01 covers 2025-11-02 … 2026-11-01).  ``trend_ratio`` compares that
window with the one just before it (``D - 2·window < occurred_on <= D - window``):
``(current + smoothing) / (previous + smoothing)``.  No window = all history up to D.
Records are seen only when ``known_at`` <= the run's knowledge cut-off (end of D in
Asia/Shanghai unless the run is "as known now") and ``occurred_on`` <= D.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from . import expr

AGGREGATIONS = ("count", "sum", "max", "min", "mean", "distinct_count", "days_since_last", "trend_ratio")
NEEDS_FIELD = {"sum", "max", "min", "mean", "distinct_count"}
SUBJECT_ATTRIBUTES = ("status", "kind", "industry_code", "established_years")


def _parsed(text: str) -> str:
    expr.parse(text)
    return text


# An expression field of a pack file (indicators, scorecard floors): refused at load time when it does not parse.
Expression = Annotated[str, AfterValidator(_parsed)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordFilter(Strict):
    field: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    op: Literal["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "is_null", "not_null"] = "eq"
    value: Any = None

    @model_validator(mode="after")
    def _value(self) -> RecordFilter:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"筛选条件 {self.field} {self.op} 需要列表值")
        if self.op not in ("is_null", "not_null") and self.value is None:
            raise ValueError(f"筛选条件 {self.field} {self.op} 缺少比较值")
        return self


class AggregateCalc(Strict):
    kind: Literal["count", "sum", "max", "min", "mean", "distinct_count", "days_since_last", "trend_ratio"]
    record_types: list[str] = Field(min_length=1)
    where: list[RecordFilter] = []
    field: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,39}$")
    window: int | None = Field(default=None, gt=0, le=36500, description="天数；None 为全部历史")
    smoothing: float = Field(default=1.0, ge=0)
    default: float | None = None

    @model_validator(mode="after")
    def _field(self) -> AggregateCalc:
        if self.kind in NEEDS_FIELD and not self.field:
            raise ValueError(f"聚合方式 {self.kind} 需要指定字段 field")
        if self.kind == "trend_ratio" and not self.window:
            raise ValueError("趋势比 trend_ratio 需要指定窗口 window")
        return self

    def fields_used(self) -> set[str]:
        return {f.field for f in self.where} | ({self.field} if self.field else set())


class AttributeCalc(Strict):
    kind: Literal["attribute"]
    attribute: str = Field(description="status / kind / industry_code / established_years / attributes.<名称>")
    equals: list[str] | None = Field(default=None, description="给出时取值为 1（属于）或 0")

    @field_validator("attribute")
    @classmethod
    def _known(cls, v: str) -> str:
        if v in SUBJECT_ATTRIBUTES or (v.startswith("attributes.") and v[11:].isidentifier()):
            return v
        raise ValueError(f"未知的主体属性 {v}")


class TagCalc(Strict):
    kind: Literal["tag"]
    tag: str


class ExpressionCalc(Strict):
    kind: Literal["expression"]
    expr: Expression


Calculation = Annotated[AggregateCalc | AttributeCalc | TagCalc | ExpressionCalc, Field(discriminator="kind")]


class IndicatorSpec(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str
    category: str
    definition: str = ""
    data_source: str = ""
    unit: str = ""
    update_frequency: str = "每日"
    owner_department: str = ""
    subject_kinds: list[str] = []
    industries: list[str] = Field(default=[], description="行业代码前缀")
    enabled: bool = True
    calc: Calculation


class IndicatorFile(Strict):
    indicators: list[IndicatorSpec]

    @model_validator(mode="after")
    def _references(self) -> IndicatorFile:
        codes = [i.code for i in self.indicators]
        dupes = {c for c in codes if codes.count(c) > 1}
        if dupes:
            raise ValueError(f"指标编码重复：{'、'.join(sorted(dupes))}")
        derived_order(self.indicators)
        return self


def derived_order(indicators: list[IndicatorSpec]) -> list[IndicatorSpec]:
    """Expression indicators in dependency order; refuses unknown names and cycles."""
    known = {i.code for i in indicators}
    deps = {i.code: expr.check(i.calc.expr, known) for i in indicators if isinstance(i.calc, ExpressionCalc)}
    by_code = {i.code: i for i in indicators}
    done: list[str] = []
    visiting: set[str] = set()

    def visit(code: str) -> None:
        if code in done or code not in deps:
            return
        if code in visiting:
            raise ValueError(f"派生指标存在循环引用：{code}")
        visiting.add(code)
        for d in deps[code]:
            visit(d)
        visiting.discard(code)
        done.append(code)

    for code in deps:
        visit(code)
    return [by_code[c] for c in done]
