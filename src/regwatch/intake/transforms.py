"""Field transforms of a mapping and the safe expression language (never ``eval``).

A mapping field is ``{"target": "data.amount", "source": "罚没金额", "transforms": ["trim", "unit:万元"]}``
or ``{"target": "summary", "expr": "concat(处罚种类, ' ', 文号)"}``.  Expressions are parsed into a
Python AST and evaluated by walking it over an allow-list of node types and functions: names read
row columns, there are no attributes, subscripts, lambdas, comprehensions or powers.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .standardize import clean_text, half_width, standard_name

MAX_EXPR_LENGTH = 500
MAX_STRING = 10_000


class TransformError(ValueError):
    """A value that a transform cannot convert; the message is Chinese and shown to users."""


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100_000_000)}


def parse_date(value: Any, formats: tuple[str, ...] = DATE_FORMATS) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = half_width(str(value)).strip()
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    # Excel serial day numbers arrive from some ledgers
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 20000 < serial < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=serial)
    raise TransformError(f"“{text[:30]}”不是可识别的日期")


def parse_decimal(value: Any) -> Decimal:
    text = half_width(str(value)).strip().replace(",", "")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise TransformError(f"“{text[:30]}”不是数字") from None
    if not d.is_finite():
        raise TransformError(f"“{text[:30]}”不是数字")
    return d


def _lookup(dictionary: str, value: Any, lookups: Callable[[str], dict[str, str]]) -> str:
    """Accept the code itself or its Chinese name; return the code."""
    items = lookups(dictionary)
    text = clean_text(str(value))
    if text in items:
        return text
    by_name = {n: c for c, n in items.items()}
    if text in by_name:
        return by_name[text]
    return text  # left for the dictionary rule to report


def apply_transform(spec: str, value: Any, row: dict[str, Any], lookups: Callable[[str], dict[str, str]]) -> Any:
    name, _, arg = spec.partition(":")
    if name == "const":
        return arg
    if name == "expr":
        return evaluate(arg, row)
    if value is None or value == "":
        return value
    if name == "trim":
        return str(value).strip()
    if name == "half_width":
        return half_width(str(value))
    if name == "full_width":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in str(value))
    if name == "upper":
        return str(value).upper()
    if name == "name":
        return standard_name(str(value))
    if name == "text":
        return clean_text(str(value))
    if name == "date":
        return parse_date(value, tuple(arg.split("|")) if arg else DATE_FORMATS).isoformat()
    if name == "dict":
        return _lookup(arg, value, lookups)
    if name == "unit":
        factor = UNITS.get(arg)
        if factor is None:
            raise TransformError(f"未知单位“{arg}”")
        return str((parse_decimal(value) * factor).normalize())
    if name == "regex":
        m = re.search(arg, str(value))
        if not m:
            raise TransformError(f"“{str(value)[:30]}”中找不到所需内容")
        return m.group(1) if m.groups() else m.group(0)
    if name == "map":  # map:是=true,否=false
        pairs = dict(p.split("=", 1) for p in arg.split(",") if "=" in p)
        return pairs.get(str(value).strip(), value)
    raise TransformError(f"未知转换“{name}”")


# --- the safe expression language -------------------------------------------------------------


def _num(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise TransformError("布尔值不能参与计算")
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(str(v))
    return parse_decimal(v)


def _numeric(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, int | float | Decimal):
        return True
    try:
        parse_decimal(v)
    except TransformError:
        return False
    return True


def _s(v: Any) -> str:
    return "" if v is None else str(v)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "upper": lambda v: _s(v).upper(),
    "lower": lambda v: _s(v).lower(),
    "trim": lambda v: _s(v).strip(),
    "len": lambda v: len(_s(v)),
    "concat": lambda *vs: "".join(_s(v) for v in vs)[:MAX_STRING],
    "substr": lambda v, start, length=None: _s(v)[int(start) : None if length is None else int(start) + int(length)],
    "replace": lambda v, old, new: _s(v).replace(_s(old), _s(new))[:MAX_STRING],
    "coalesce": lambda *vs: next((v for v in vs if v not in (None, "")), ""),
    "number": _num,
    "text": _s,
    "round": lambda v, n=0: round(_num(v), int(n)),
    "date": lambda v: parse_date(v).isoformat(),
    "year": lambda v: parse_date(v).year,
    "half_width": lambda v: half_width(_s(v)),
    "field": lambda name: name,  # replaced in the evaluator: field("列 名") reads a column whose name is not an identifier
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: _num(a) + _num(b) if _numeric(a) and _numeric(b) else (_s(a) + _s(b))[:MAX_STRING],
    ast.Sub: lambda a, b: _num(a) - _num(b),
    ast.Mult: lambda a, b: _num(a) * _num(b),
    ast.Div: lambda a, b: _num(a) / _num(b),
    ast.Mod: lambda a, b: _num(a) % _num(b),
}
_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: _num(a) < _num(b),
    ast.LtE: lambda a, b: _num(a) <= _num(b),
    ast.Gt: lambda a, b: _num(a) > _num(b),
    ast.GtE: lambda a, b: _num(a) >= _num(b),
}


class ExpressionError(TransformError):
    pass


@lru_cache(maxsize=1024)
def parse_expression(text: str) -> ast.Expression:
    if len(text) > MAX_EXPR_LENGTH:
        raise ExpressionError(f"表达式过长（最多{MAX_EXPR_LENGTH}个字符）")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ExpressionError(f"表达式语法错误：{text[:60]}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"表达式中不允许使用“{type(node).__name__}”")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise ExpressionError("表达式只能调用内置函数：" + "、".join(sorted(FUNCTIONS)))
        if isinstance(node, ast.Call) and node.keywords:
            raise ExpressionError("表达式函数不支持关键字参数")
    return tree


_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.USub,
    ast.Not,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    *_BINOPS,
    *_CMPOPS,
)


def _eval(node: ast.AST, row: dict[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, row)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str | int | float | bool) or node.value is None:
            return node.value
        raise ExpressionError("表达式中不允许该常量")
    if isinstance(node, ast.Name):
        if node.id in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[node.id]
        return row.get(node.id)
    if isinstance(node, ast.BinOp):
        try:
            return _BINOPS[type(node.op)](_eval(node.left, row), _eval(node.right, row))
        except (ArithmeticError, InvalidOperation):
            raise ExpressionError("表达式计算出错（如除以零）") from None
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, row)
        return -_num(v) if isinstance(node.op, ast.USub) else not v
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, row) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, row)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, row)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, row) if _eval(node.test, row) else _eval(node.orelse, row)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_eval(a, row) for a in node.args]
        if node.func.id == "field":
            return row.get(_s(args[0])) if args else None
        try:
            return FUNCTIONS[node.func.id](*args)
        except TypeError:
            raise ExpressionError(f"函数 {node.func.id} 的参数个数不对") from None
    raise ExpressionError(f"表达式中不允许使用“{type(node).__name__}”")


def evaluate(text: str, row: dict[str, Any]) -> Any:
    value = _eval(parse_expression(text), row)
    return str(value.normalize()) if isinstance(value, Decimal) else value
