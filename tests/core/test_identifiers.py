from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regwatch.core.identifiers import (
    USCC_CHARSET,
    id_card_check_char,
    id_card_problems,
    is_valid_uscc,
    uscc_check_char,
    uscc_problems,
)

body = st.tuples(
    st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
).map("".join)


@given(body)
def test_every_code_with_correct_check_digit_passes(first17: str) -> None:
    assert is_valid_uscc(first17 + uscc_check_char(first17))


@given(body, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET + "IOZSV"))
def test_every_single_character_corruption_fails(first17: str, position: int, replacement: str) -> None:
    code = first17 + uscc_check_char(first17)
    corrupted = code[:position] + replacement + code[position + 1 :]
    if corrupted != code:
        assert not is_valid_uscc(corrupted)
        assert uscc_problems(corrupted)


def test_known_real_world_code_passes() -> None:
    # 91350100M000100Y43 is the example printed in GB 32100-2015's annex.
    assert is_valid_uscc("91350100M000100Y43")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "应为18位"),
        ("91350100M000100Y44", "校验码错误：第18位应为“3”"),
        ("91350100O000100Y43", "第9位“O”不是统一社会信用代码允许的字符"),
        ("91AB0100M000100Y43", "第3-8位"),
    ],
)
def test_reasons_are_specific_and_chinese(code: str, reason: str) -> None:
    assert any(reason in p for p in uscc_problems(code))


def test_full_width_and_spaces_are_normalised() -> None:
    assert is_valid_uscc(" ９１３５０１００Ｍ０００１００Ｙ４３ ")


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.dates(), st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_id_card_with_correct_check_digit_passes(area: str, birth, seq: str) -> None:  # type: ignore[no-untyped-def]
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    if len(first17) == 17:
        assert id_card_problems(first17 + id_card_check_char(first17)) == []


def test_id_card_bad_date_and_check_digit() -> None:
    assert "出生日期" in id_card_problems("110101199002301234")[0]
    first17 = "11010119900307123"
    wrong = "0" if id_card_check_char(first17) != "0" else "1"
    assert "校验码错误" in id_card_problems(first17 + wrong)[0]
