"""A small, safe expression language for derived indicators, points formulas and floor conditions.

Text is parsed by sqlglot and every node is checked against an allow-list; the tree is then
compiled to an Ibis expression (so DuckDB and Spark run the same thing).  Nothing is ever
``eval``-ed.  Allowed: numbers, ``true``/``false``/``null``, names of other indicators (or
``value`` in a points formula), ``+ - * /``, comparisons, ``and/or/not``, ``is [not] null``,
``if(c, a, b)``, ``case when … end``, ``least``, ``greatest``, ``coalesce``, ``nullif``,
``abs``, ``round``.  Division by zero gives null (write ``nullif(x, 0)`` to be explicit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlglot
from sqlglot import exp

ALLOWED: tuple[type[exp.Expression], ...] = (
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Paren,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Neg,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Is,
    exp.If,
    exp.Case,
    exp.Least,
    exp.Greatest,
    exp.Coalesce,
    exp.Nullif,
    exp.Abs,
    exp.Round,
)


class ExpressionError(ValueError):
    pass


def parse(text: str) -> exp.Expression:
    if not text or not text.strip():
        raise ExpressionError("表达式不能为空")
    if len(text) > 2000:
        raise ExpressionError("表达式过长（最多2000字符）")
    try:
        tree: exp.Expression = sqlglot.parse_one(text, read="duckdb")  # type: ignore[assignment]
    except Exception as exc:  # sqlglot raises several error types
        raise ExpressionError(f"表达式无法解析：{exc}") from exc
    for node in tree.walk():
        if not isinstance(node, ALLOWED):
            raise ExpressionError(f"表达式中不允许使用“{node.sql()[:40]}”（{type(node).__name__}）")
        if isinstance(node, exp.Column) and (node.table or not isinstance(node.this, exp.Identifier)):
            raise ExpressionError(f"名称“{node.sql()}”无效：只能引用指标编码")
        if isinstance(node, exp.Literal) and node.is_string:
            raise ExpressionError("表达式中不允许使用字符串常量")
    return tree


def names(text: str) -> set[str]:
    return {c.name for c in parse(text).find_all(exp.Column)}


def compile_ibis(text: str, env: Mapping[str, Any]) -> Any:
    """Compile to an Ibis value over ``env`` (name → Ibis column)."""
    import ibis

    def go(node: exp.Expression) -> Any:
        if isinstance(node, exp.Paren):
            return go(node.this)
        if isinstance(node, exp.Column):
            if node.name not in env:
                raise ExpressionError(f"未知的指标“{node.name}”")
            return env[node.name]
        if isinstance(node, exp.Literal):
            text = node.this
            return ibis.literal(float(text)) if any(ch in text for ch in ".eE") else ibis.literal(int(text), type="int64")
        if isinstance(node, exp.Boolean):
            return ibis.literal(bool(node.this))
        if isinstance(node, exp.Null):
            return ibis.null("float64")
        if isinstance(node, exp.Neg):
            return -go(node.this)
        binary = {
            exp.Add: lambda a, b: a + b,
            exp.Sub: lambda a, b: a - b,
            exp.Mul: lambda a, b: a * b,
            exp.Div: lambda a, b: a.cast("float64") / ibis.ifelse(b == 0, ibis.null("float64"), b.cast("float64")),
            exp.EQ: lambda a, b: a == b,
            exp.NEQ: lambda a, b: a != b,
            exp.GT: lambda a, b: a > b,
            exp.GTE: lambda a, b: a >= b,
            exp.LT: lambda a, b: a < b,
            exp.LTE: lambda a, b: a <= b,
            exp.And: lambda a, b: a & b,
            exp.Or: lambda a, b: a | b,
        }
        for kind, fn in binary.items():
            if type(node) is kind:
                return fn(go(node.this), go(node.expression))
        if isinstance(node, exp.Not):
            return ~go(node.this)
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise ExpressionError("is 只能与 null 一起使用")
            return go(node.this).isnull()
        if isinstance(node, exp.If):
            return ibis.ifelse(
                go(node.this), go(node.args["true"]), go(node.args["false"]) if node.args.get("false") else ibis.null("float64")
            )
        if isinstance(node, exp.Case):
            if node.this is not None:
                raise ExpressionError("只支持 case when 条件 then 值 … end 形式")
            branches = [(go(w.this), go(w.args["true"])) for w in node.args.get("ifs", [])]
            default = node.args.get("default")
            return ibis.cases(*branches, else_=go(default) if default is not None else None)
        if isinstance(node, exp.Least | exp.Greatest):
            args = [go(node.this), *(go(e) for e in node.expressions)]
            return ibis.least(*args) if isinstance(node, exp.Least) else ibis.greatest(*args)
        if isinstance(node, exp.Coalesce):
            return ibis.coalesce(go(node.this), *(go(e) for e in node.expressions))
        if isinstance(node, exp.Nullif):
            a, b = go(node.this), go(node.expression)
            return ibis.ifelse(a == b, ibis.null("float64"), a.cast("float64"))
        if isinstance(node, exp.Abs):
            return go(node.this).abs()
        if isinstance(node, exp.Round):
            digits = node.args.get("decimals")
            return go(node.this).round(int(digits.this) if digits is not None else 0)
        raise ExpressionError(f"表达式中不允许使用“{node.sql()[:40]}”")

    return go(parse(text))


def check(text: str, known: set[str]) -> set[str]:
    """Parse, and refuse names outside ``known``; returns the names used."""
    used = names(text)
    unknown = used - known
    if unknown:
        raise ExpressionError(f"表达式引用了不存在的指标：{'、'.join(sorted(unknown))}")
    return used
