from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from regwatch.core.masking import mask_id_card, mask_name, mask_phone


def test_examples() -> None:
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_id_card("33010619900307123X") == "330106********123X"
    assert mask_name("欧阳娜娜") == "欧***"


@given(st.from_regex(r"1\d{10}", fullmatch=True))
def test_mobile_numbers_hide_the_middle_four(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == 11 and masked[3:7] == "****" and masked[:3] == phone[:3] and masked[-4:] == phone[-4:]


@given(st.text(alphabet="0123456789X", min_size=11, max_size=18))
def test_id_cards_never_show_the_birth_date(code: str) -> None:
    masked = mask_id_card(code)
    assert len(masked) == len(code)
    assert set(masked[6:-4]) == {"*"}


@given(st.text(min_size=1, max_size=6).filter(lambda s: s.strip() == s and s))
def test_names_keep_only_the_first_character(name: str) -> None:
    masked = mask_name(name)
    assert masked[0] == name[0] and set(masked[1:]) <= {"*"} and len(masked) == len(name)
