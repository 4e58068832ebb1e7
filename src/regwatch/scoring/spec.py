"""Scorecards and grade schemes, validated with pydantic; messages are in Chinese.

Score direction: a **risk score** from 0 to 100, higher = riskier.  Each scorecard item turns an
indicator value into risk points by ``bins`` (``from`` thresholds, value >= from, strictly
ascending; values below the first threshold get ``base`` points, a missing value ``missing``) or
by a ``formula`` over ``value``.  A category's sub-score is the sum of its items' points clipped
to 0..100; the total is the weighted sum of sub-scores (weights in % summing to 100).  Grade
levels are ordered from the lowest risk (A) to the highest (D); their intervals ``[min, max)``
(the last one closed) must start at 0, ascend, touch without gap or overlap, and end at 100.
Floors force a minimum level when their condition (expression over indicators) holds.
"""

from __future__ import annotations

import itertools

from pydantic import BaseModel, ConfigDict, Field, model_validator

from regwatch.indicators import expr
from regwatch.indicators.spec import Expression

EPS = 1e-9


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Level(Strict):
    code: str = Field(min_length=1, max_length=10)
    name: str
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    min: float
    max: float
    description: str = ""


class GradeSchemeSpec(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str
    levels: list[Level] = Field(min_length=2)

    @model_validator(mode="after")
    def _intervals(self) -> GradeSchemeSpec:
        validate_levels(self.levels)
        return self

    def index(self, code: str) -> int:
        for i, level in enumerate(self.levels):
            if level.code == code:
                return i
        raise ValueError(f"等级 {code} 不在等级方案 {self.code} 中")


def validate_levels(levels: list[Level]) -> None:
    codes = [lv.code for lv in levels]
    if len(set(codes)) != len(codes):
        raise ValueError("等级编码重复")
    for lv in levels:
        if not lv.min < lv.max:
            raise ValueError(f"等级 {lv.code}（{lv.name}）的下限 {lv.min:g} 必须小于上限 {lv.max:g}")
    for a, b in itertools.pairwise(levels):
        if b.min < a.min:
            raise ValueError(f"等级区间顺序错误：{b.code} 的下限 {b.min:g} 小于 {a.code} 的下限 {a.min:g}，等级应按风险由低到高排列")
        if b.min < a.max - EPS:
            raise ValueError(f"等级区间重叠：{a.code} [{a.min:g}, {a.max:g}) 与 {b.code} [{b.min:g}, {b.max:g}) 重叠")
        if b.min > a.max + EPS:
            raise ValueError(f"等级区间存在空档：{a.code} 的上限 {a.max:g} 与 {b.code} 的下限 {b.min:g} 之间没有等级")

    if abs(levels[0].min) > EPS:
        raise ValueError(f"第一个等级 {levels[0].code} 的下限必须为 0（当前为 {levels[0].min:g}）")
    if abs(levels[-1].max - 100) > EPS:
        raise ValueError(f"最后一个等级 {levels[-1].code} 的上限必须为 100（当前为 {levels[-1].max:g}）")


class Bin(Strict):
    from_: float = Field(alias="from")
    points: float
    label: str = ""
    description: str = Field(default="", description="给公众看的分档说明；留空时用 label 或“≥阈值”")


class Item(Strict):
    indicator: str
    bins: list[Bin] | None = None
    base: float = 0
    missing: float = 0
    formula: str | None = None
    reason: str = Field(default="", description="说明模板，可用 {value}")
    description: str = Field(default="", description="给公众看的计分规则说明；留空时由分档或公式自动生成")

    @model_validator(mode="after")
    def _one(self) -> Item:
        if (self.bins is None) == (self.formula is None):
            raise ValueError(f"评分项 {self.indicator} 必须且只能设置分档 bins 或公式 formula 之一")
        if self.bins is not None:
            froms = [b.from_ for b in self.bins]
            if not froms or any(b <= a for a, b in itertools.pairwise(froms)):
                raise ValueError(f"评分项 {self.indicator} 的分档阈值必须严格递增")
        if self.formula is not None:
            expr.check(self.formula, {"value"})
        return self


class Category(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str
    weight: float = Field(ge=0, le=100)
    items: list[Item] = Field(min_length=1)


class Floor(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    when: Expression
    min_level: str
    reason: str


class ScorecardSpec(Strict):
    categories: list[Category] = Field(min_length=1)
    floors: list[Floor] = []

    @model_validator(mode="after")
    def _weights(self) -> ScorecardSpec:
        total = sum(c.weight for c in self.categories)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"各分类权重之和必须为 100%（当前为 {total:g}%）")
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("分类编码重复")
        return self

    def indicator_codes(self) -> list[str]:
        return [i.indicator for c in self.categories for i in c.items]

    def check_against(self, indicators: set[str], scheme: GradeSchemeSpec) -> None:
        missing = [c for c in self.indicator_codes() if c not in indicators]
        if missing:
            raise ValueError(f"评分卡引用了不存在或未启用的指标：{'、'.join(missing)}")
        for f in self.floors:
            expr.check(f.when, indicators)
            scheme.index(f.min_level)
