"""One validator for expression fields: indicator calculations and scorecard floors accept the same texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from regwatch.indicators import expr
from regwatch.indicators.spec import IndicatorSpec
from regwatch.scoring.spec import Floor

PIECES = st.sampled_from(
    ["a", "b_2", "1", "2.5", "+", "-", "*", "/", "(", ")", ">", "and", "or", "not", "if(", ",", "null", "import", ";", "'x'"]
)


def _accepted(text: str) -> bool:
    try:
        expr.parse(text)
    except ValueError:
        return False
    return True


def _indicator_accepts(text: str) -> bool:
    try:
        IndicatorSpec.model_validate({"code": "x", "name": "x", "category": "c", "calc": {"kind": "expression", "expr": text}})
    except ValidationError:
        return False
    return True


def _floor_accepts(text: str) -> bool:
    try:
        Floor.model_validate({"code": "f", "when": text, "min_level": "C", "reason": "r"})
    except ValidationError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, min_size=0, max_size=8).map(" ".join))
def test_indicator_and_floor_expressions_are_checked_alike(text: str) -> None:
    assert _indicator_accepts(text) == _floor_accepts(text) == _accepted(text)


def test_a_bad_floor_is_refused_with_the_parser_message() -> None:
    assert _floor_accepts("a > 1 and b < 2")
    assert not _floor_accepts("__import__('os')")
    assert not _floor_accepts("")
