"""Plain-Chinese sentences for scorecard bins and points formulas (评分规则说明).

An official reads "每项计2.5分，最多60分", never ``least(value * 2.5, 60)``.  A formula is read from
its parsed tree (the same safe parser as indicators.expr), so only shapes we recognise get a
derived sentence; anything else gets a generic sentence, never the formula text itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlglot import exp

from regwatch.indicators import expr

GENERIC = "按公式计分（见模型说明）"


def number(x: float | Decimal) -> str:
    """A number as a person writes it: 2.5, 60, 10000 (no exponent, no trailing zeros)."""
    d = Decimal(str(x)).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "") else text


# Units that mean "a share of a whole": shown as a percentage (0.15 → 15%), never as a bare decimal.
RATIO_UNITS = {"比例", "比率", "占比"}


def amount(x: float | Decimal, unit: str = "") -> str:
    """A quantity as a person writes it: 3次, 2.5万元, 15%."""
    if unit in RATIO_UNITS:
        return f"{number(round(Decimal(str(x)) * 100, 2))}%"
    return f"{number(x)}{unit}"


class _Unknown(Exception):
    pass


def _const(node: exp.Expression) -> Decimal:
    if isinstance(node, exp.Paren):
        return _const(node.this)
    if isinstance(node, exp.Neg):
        return -_const(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return Decimal(node.this)
    raise _Unknown


def _is_value(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Column) and node.name == "value"


def _per(unit: str) -> str:
    return f"每{unit}" if unit else "取值每增加1"


def _linear(node: exp.Expression, unit: str) -> str:
    """value, value * k, k * value, value / k."""
    while isinstance(node, exp.Paren):
        node = node.this
    if _is_value(node):
        return f"{_per(unit)}计1分"
    if isinstance(node, exp.Mul):
        for a, b in ((node.this, node.expression), (node.expression, node.this)):
            if _is_value(a):
                k = _const(b)
                return f"{_per(unit)}计{number(k)}分" if k >= 0 else f"{_per(unit)}减{number(-k)}分"
    if isinstance(node, exp.Div) and _is_value(node.this):
        k = _const(node.expression)
        if k > 0:
            return f"每{number(k)}{unit}计1分"
    raise _Unknown


def _sentence(node: exp.Expression, unit: str) -> str:
    while isinstance(node, exp.Paren):
        node = node.this
    try:
        return f"固定计{number(_const(node))}分"
    except _Unknown:
        pass
    if isinstance(node, exp.Least | exp.Greatest):
        args = [node.this, *node.expressions]
        consts = []
        rest = []
        for a in args:
            try:
                consts.append(_const(a))
            except _Unknown:
                rest.append(a)
        if len(rest) != 1 or len(consts) != 1:
            raise _Unknown
        bound = "最多" if isinstance(node, exp.Least) else "最少"
        return f"{_sentence(rest[0], unit)}，{bound}{number(consts[0])}分"
    if isinstance(node, exp.Add):
        for a, b in ((node.this, node.expression), (node.expression, node.this)):
            try:
                c = _const(a)
            except _Unknown:
                continue
            return f"基础{number(c)}分，另{_linear(b, unit)}"
        raise _Unknown
    return _linear(node, unit)


def formula(text: str, unit: str = "") -> str:
    """The sentence for a points formula over ``value``; ``unit`` is the indicator's unit (项, 次, 元)."""
    try:
        return _sentence(expr.parse(text), unit)
    except (_Unknown, expr.ExpressionError, ArithmeticError):
        return GENERIC


def rule(item: dict[str, Any], unit: str = "") -> str:
    """How a scorecard item gives points, in one sentence (the pack's ``description`` wins)."""
    if item.get("description"):
        return str(item["description"])
    if item.get("formula"):
        return formula(item["formula"], unit)
    parts = []
    bins = item.get("bins") or []
    if bins and item.get("base"):
        parts.append(f"低于{amount(bins[0]['from'], unit)}{points(item['base'])}")
    for b in bins:
        parts.append(f"{bin_text(b, unit)}{points(b['points'])}")
    if item.get("missing"):
        parts.append(f"无数据{points(item['missing'])}")
    return "；".join(parts)


def points(p: float) -> str:
    return f"计{number(p)}分" if p >= 0 else f"减{number(-p)}分"


def bin_text(b: dict[str, Any], unit: str = "") -> str:
    return str(b.get("description") or b.get("label") or f"≥{amount(b['from'], unit)}")
