"""Property tests for the readers, transforms, expression language and validators."""

from __future__ import annotations

import contextlib
import csv
import io
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regwatch.core.identifiers import USCC_CHARSET, id_card_check_char, uscc_check_char
from regwatch.intake.mapping import CompiledMapping
from regwatch.intake.readers import ReadError, read_csv
from regwatch.intake.standardize import half_width, name_key, standard_name
from regwatch.intake.transforms import ExpressionError, TransformError, evaluate, parse_date

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
cell = st.text(alphabet=st.one_of(cjk, st.sampled_from(string.ascii_letters + string.digits + " ,\"'\n=+-@（）")), max_size=20)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), max_size=15), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_csv_round_trip_in_any_supported_encoding(rows: list[list[str]], encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["名称", "代码", "备注"])
    w.writerows(rows)
    opened = read_csv(io.BytesIO(buf.getvalue().encode(encoding)))
    read = [[r.values["名称"], r.values["代码"], r.values["备注"]] for r in opened.rows]
    expected = [r for r in rows if any(v.strip() for v in r)]
    assert read == expected


@given(st.binary(max_size=300))
def test_csv_reader_never_crashes_on_garbage(data: bytes) -> None:
    try:
        opened = read_csv(io.BytesIO(data))
        for row in opened.rows:
            assert isinstance(row.values, dict)
    except ReadError as exc:
        assert str(exc)


@given(st.text(max_size=60))
def test_expressions_never_escape_or_crash(text: str) -> None:
    with contextlib.suppress(ExpressionError, TransformError):
        evaluate(text, {"a": "1", "b": "x"})


@pytest.mark.parametrize(
    "text", ["__import__('os').system('id')", "a.__class__", "(lambda: 1)()", "[1 for x in a]", "a[0]", "2 ** 1000", "open('x')"]
)
def test_dangerous_expressions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(text, {"a": "1"})


@given(st.text(max_size=30))
def test_name_standardisation_is_idempotent(name: str) -> None:
    once = standard_name(name)
    assert standard_name(once) == once
    assert name_key(name) == name_key(half_width(name))


@given(st.dates(), st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"]))
def test_dates_in_every_accepted_format_parse_back(day: Any, fmt: str) -> None:
    if day.year < 1000:
        return
    assert parse_date(day.strftime(fmt)) == day


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_uscc_rule_accepts_exactly_the_right_check_character(first17: str) -> None:
    mapping = CompiledMapping([{"target": "subject.uscc", "source": "c"}], [], [], lambda code: {})
    good = first17 + uscc_check_char(first17)
    assert not [r for r in mapping.prepare({"c": good}).reasons if r.rule == "uscc"]
    bad = first17 + next(c for c in USCC_CHARSET if c != good[-1])
    assert [r for r in mapping.prepare({"c": bad}).reasons if r.rule == "uscc"]
    # full-width and lower-case input standardises to the same code
    fw = "".join(chr(ord(c) + 0xFEE0) for c in good.lower())
    assert not [r for r in mapping.prepare({"c": fw}).reasons if r.rule == "uscc"]


@given(st.from_regex(r"\A[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"))
def test_id_card_rule(first17: str) -> None:
    mapping = CompiledMapping(
        [{"target": "data.idno", "source": "c"}], [{"rule": "id_card", "field": "data.idno"}], [{"name": "idno"}], lambda code: {}
    )
    good = [r for r in mapping.prepare({"c": first17 + id_card_check_char(first17)}).reasons if r.rule == "id_card"]
    assert good == []
    wrong = "0" if id_card_check_char(first17) != "0" else "1"
    assert [r for r in mapping.prepare({"c": first17 + wrong}).reasons if r.rule == "id_card"]


def test_a_two_line_gbk_file_too_short_for_statistics_is_read_as_gb18030() -> None:
    data = "名称,代码,备注\r\n,,AAA一\r\n".encode("gb18030")  # found by the round-trip property above
    opened = read_csv(io.BytesIO(data))
    assert opened.encoding == "gb18030"
    assert [r.values for r in opened.rows] == [{"名称": "", "代码": "", "备注": "AAA一"}]
