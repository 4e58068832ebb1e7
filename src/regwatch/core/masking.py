"""Masking of personal data for display (GB/T 35273 practice): keep enough to recognise, not to misuse.

Masking is for screens, exports and logs; the stored value is unchanged.  Whoever may see
the full value is decided by the caller (a permission such as ``accounts.view_unmasked``).
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"^1\d{10}$")


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; other numbers keep their last four characters."""
    digits = "".join(value.split())
    if _PHONE.match(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_card(value: str) -> str:
    """18-digit ID → first 6 (region) and last 4 kept: 330106********123X."""
    code = "".join(value.split())
    if len(code) <= 10:
        return "*" * len(code)
    return f"{code[:6]}{'*' * (len(code) - 10)}{code[-4:]}"


def mask_name(value: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***: the family name stays."""
    name = value.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name
