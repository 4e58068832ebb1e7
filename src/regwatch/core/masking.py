"""Masking of personal data for display (GB/T 35273 practice): keep enough to recognise, not to misuse.

Masking is for screens, exports and the API; the stored value is unchanged.  Which fields are
masked, and how, is the data catalog's decision (``catalog.DatasetField.sensitivity`` and
``masking``); who may see the clear value is decided in one place, ``web.masking``, from the
policy the approvals app registers (``approvals.view_unmasked``, a reason per value, approval
for bulk).  This module only knows how each kind of value is masked.
"""

from __future__ import annotations

import re

from django.db import models

_PHONE = re.compile(r"^1\d{10}$")


class MaskKind(models.TextChoices):
    NAME = "name", "姓名"
    PHONE = "phone", "电话号码"
    ID_CARD = "id_card", "证件号码"
    ADDRESS = "address", "地址"
    PARTIAL = "partial", "部分遮盖"


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


def mask_address(value: str) -> str:
    """浙江省杭州市西湖区文三路90号 → 浙江省杭州市西湖区******: the part up to the county stays."""
    text = value.strip()
    cut = max((text.find(mark) + 1 for mark in ("区", "县", "市") if 0 <= text.find(mark) < len(text) - 1), default=0)
    keep = cut if cut else min(len(text) // 3, 6)
    return text[:keep] + "*" * min(len(text) - keep, 6)


def mask_partial(value: str) -> str:
    """Anything else: the first and last characters stay, at most a third of the text."""
    text = value.strip()
    if len(text) <= 2:
        return "*" * len(text)
    keep = max(1, len(text) // 6)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


MASKERS = {
    MaskKind.NAME: mask_name,
    MaskKind.PHONE: mask_phone,
    MaskKind.ID_CARD: mask_id_card,
    MaskKind.ADDRESS: mask_address,
    MaskKind.PARTIAL: mask_partial,
}


def mask(kind: str, value: object) -> str:
    """``value`` masked as a ``MaskKind``; an unknown kind masks partially (never shows in clear)."""
    text = str(value)
    return MASKERS.get(kind, mask_partial)(text) if text else text  # type: ignore[call-overload]


def guess_kind(name: str) -> str:
    """The masking kind a field's technical name suggests (catalog defaults): phone, id_card, address or name."""
    lowered = name.lower()
    if any(k in lowered for k in ("phone", "mobile", "tel")):
        return MaskKind.PHONE
    if any(k in lowered for k in ("id_card", "id_no", "idcard", "certificate")):
        return MaskKind.ID_CARD
    if "address" in lowered or "addr" in lowered:
        return MaskKind.ADDRESS
    return MaskKind.NAME
