"""Check digits of Chinese identifiers, with reasons a person can act on.

USCC: GB 32100-2015 统一社会信用代码.  ID card: GB 11643-1999 公民身份号码.
Each check returns the problems found (empty when valid) so callers can show
every reason at once instead of the first.
"""

from __future__ import annotations

import unicodedata

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {c: i for i, c in enumerate(USCC_CHARSET)}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_code(value: str) -> str:
    """Full-width to half-width, drop spaces, upper-case: how codes arrive from forms and Excel."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_INDEX[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problems(value: str) -> list[str]:
    code = normalize_code(value)
    if len(code) != 18:
        return [f"统一社会信用代码应为18位，实际为{len(code)}位"]
    problems = [
        f"第{i}位“{c}”不是统一社会信用代码允许的字符（不含 I、O、Z、S、V）" for i, c in enumerate(code, start=1) if c not in _USCC_INDEX
    ]
    if not code[2:8].isdigit():
        problems.append("第3-8位登记管理机关行政区划码应为6位数字")
    if not problems:
        expected = uscc_check_char(code[:17])
        if code[17] != expected:
            problems.append(f"校验码错误：第18位应为“{expected}”，实际为“{code[17]}”")
    return problems


def is_valid_uscc(value: str) -> bool:
    return not uscc_problems(value)


def id_card_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_card_problems(value: str) -> list[str]:
    code = normalize_code(value)
    if len(code) != 18:
        return [f"身份证号码应为18位，实际为{len(code)}位"]
    if not code[:17].isdigit() or code[17] not in "0123456789X":
        return ["身份证号码前17位应为数字，第18位应为数字或X"]
    from datetime import date

    try:
        date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return [f"身份证号码中的出生日期{code[6:14]}无效"]
    expected = id_card_check_char(code[:17])
    if code[17] != expected:
        return [f"身份证号码校验码错误：第18位应为“{expected}”，实际为“{code[17]}”"]
    return []
