"""Standardising Chinese names, addresses and codes, and the keys subject matching compares."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

from regwatch.core.models import Region

_T2S = OpenCC("t2s")
_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"[（(【\[［〔](.*?)[）)】\]］〕]")
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "个体工商户", "合作社")
BRANCH = re.compile(r"(第?[一二三四五六七八九十\d]+)?(分公司|分店|分部|门店|店)$")
_PROVINCE = re.compile(r"^(.{2,3}?(省|自治区))")
_ADDR_NOISE = re.compile(r"[，,。\-－—#\s]")


def half_width(value: str) -> str:
    """Full-width ASCII (Ａ１，（）) to half-width; keeps CJK as is."""
    return unicodedata.normalize("NFKC", value)


def clean_text(value: str) -> str:
    """Trim, collapse whitespace, full-width to half-width letters/digits and Chinese brackets."""
    value = half_width(value).strip()
    value = _SPACES.sub(" ", value)
    return value.replace("(", "（").replace(")", "）")


def standard_name(value: str) -> str:
    """An enterprise name as stored: half-width, Chinese brackets, no spaces."""
    v = half_width(clean_text(value).replace(" ", ""))  # again: removing a space can join a combining mark
    return v.replace("(", "（").replace(")", "）")


@lru_cache(maxsize=200_000)
def _t2s(value: str) -> str:
    return _T2S.convert(value)


def strip_region(value: str, regions: tuple[str, ...] = ()) -> str:
    """Drop leading administrative-division names (longest first), keeping at least two characters."""
    for _ in range(4):
        before = value
        for name in regions:
            if value.startswith(name) and len(value) - len(name) >= 2:
                value = value[len(name) :]
                break
        m = _PROVINCE.match(value)
        if m and len(value) - len(m.group(1)) >= 2:
            value = value[len(m.group(1)) :]
        if value == before:
            break
    return value


def set_region_names(names: list[str]) -> None:
    """Region names to strip (from core.Region: provinces, cities, counties and their short forms)."""
    global REGION_NAMES
    extra = set(names)
    for n in names:
        for suffix in ("省", "市", "自治区"):
            if n.endswith(suffix) and len(n) - len(suffix) >= 2:
                extra.add(n[: -len(suffix)])
    merged = tuple(sorted(set(REGION_NAMES) | extra, key=len, reverse=True))
    if merged != REGION_NAMES:
        REGION_NAMES = merged
        name_key.cache_clear()
        address_key.cache_clear()


def load_region_names() -> None:
    set_region_names(list(Region.objects.filter(level__in=["province", "city", "county"]).values_list("name", flat=True)))


@lru_cache(maxsize=200_000)
def name_key(value: str) -> str:
    """The core of a name for comparison: simplified, no region prefix, no legal form, brackets or branch marker."""
    v = _t2s(standard_name(value))
    v = _BRACKETS.sub("", v)
    v = v.replace("（", "").replace("）", "")
    v = strip_region(v, REGION_NAMES)
    for suffix in LEGAL_FORMS:
        if v.endswith(suffix):
            v = v[: -len(suffix)]
            break
    v = BRANCH.sub("", v) if len(v) > 4 else v
    return v


@lru_cache(maxsize=200_000)
def address_key(value: str) -> str:
    """An address reduced to what identifies the place: simplified, no province/city, road and number kept."""
    v = _t2s(half_width(value))
    v = _ADDR_NOISE.sub("", v)
    v = strip_region(v, REGION_NAMES)
    v = v.replace("号楼", "幢").replace("弄", "号")
    return v


def address_number(value: str) -> str:
    m = re.findall(r"(\d+)号", half_width(value))
    return m[-1] if m else ""


# Common prefixes stripped from names and addresses; the food_credit world lives in Zhejiang.
REGION_NAMES: tuple[str, ...] = ("中华人民共和国", "浙江省", "杭州市", "宁波市", "浙江", "杭州", "宁波", "中国")
