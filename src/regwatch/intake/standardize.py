"""Standardising Chinese names, addresses and codes, and the keys subject matching compares."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC

from regwatch.core.models import Region

_T2S = OpenCC("t2s")
_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"[（(【\[［〔](.*?)[）)】\]］〕]")
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "个体工商户", "合作社")
BRANCH = re.compile(r"(第?[一二三四五六七八九十\d]+)?(分公司|分店|分部|门店|店)$")
# What ends the name of a branch or an outlet (in brackets or after the legal form).
OUTLET = re.compile(r"(分公司|分店|分部|分厂|分所|营业部|经营部|门店|店)$")
_BRANCH_TAIL = re.compile(r"[^店]{0,4}(分公司|分店|分部|分厂|营业部)$")
_NUMERAL = re.compile(r"[一二三四五六七八九十百\d]")
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


MIN_REST = 2  # stripping a prefix never leaves fewer characters than this


@dataclass(frozen=True)
class Place:
    """One meaning of a region name: which region, and whether the name alone is weak evidence."""

    code: str
    path: str  # core.Region.path, /<code>/<code>/…/
    weak: bool = False  # a county's short form (西湖) is also an ordinary word: evidence only below a known city


# Filled from core.Region by load_region_names(); the country is the only name every deployment shares.
COUNTRY_NAMES = ("中华人民共和国", "中国")
REGION_NAMES: tuple[str, ...] = COUNTRY_NAMES  # longest first
PLACES: dict[str, tuple[Place, ...]] = {}
_SIGNATURE: tuple[tuple[str, str, str, str], ...] = ()
_SUFFIXES = {
    "province": ("特别行政区", "自治区", "省", "市"),
    "city": ("自治州", "地区", "市", "盟"),
    "county": ("自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗"),
}


def short_forms(name: str, level: str) -> list[str]:
    """How people shorten a division's name: 浙江省→浙江, 杭州市→杭州, 西湖区→西湖, 广西壮族自治区→广西."""
    for suffix in _SUFFIXES.get(level, ()):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):  # drop the nationality: 延边朝鲜族自治州 → 延边
                stem = "内蒙古" if stem.startswith("内蒙古") else stem[:2]
            return [stem] if len(stem) >= 2 else []
    return []


def split_region(value: str, regions: tuple[str, ...] | None = None) -> tuple[list[str], str]:
    """The leading division names of ``value`` (longest first, repeatedly) and what is left.

    Never leaves fewer than ``MIN_REST`` characters, and the rest has no strippable prefix, so
    stripping again changes nothing.
    """
    names = REGION_NAMES if regions is None else regions
    found: list[str] = []
    while True:
        hit = next((n for n in names if value.startswith(n) and len(value) - len(n) >= MIN_REST), None)
        if hit is None:
            m = _PROVINCE.match(value)  # a province we do not hold in core.Region still reads as one
            hit = m.group(1) if m and len(value) - len(m.group(1)) >= MIN_REST else None
        if hit is None:
            return found, value
        found.append(hit)
        value = value[len(hit) :]


def strip_region(value: str, regions: tuple[str, ...] | None = None) -> str:
    """Drop leading administrative-division names, keeping at least two characters."""
    return split_region(value, regions)[1]


def set_regions(rows: list[tuple[str, str, str, str]]) -> None:
    """Region names to strip and to read as evidence, from (code, name, level, path) of core.Region."""
    global REGION_NAMES, PLACES, _SIGNATURE
    signature = tuple(sorted(rows))
    if signature == _SIGNATURE:
        return
    places: dict[str, list[Place]] = {}
    for code, name, level, path in signature:
        places.setdefault(name, []).append(Place(code, path))
        for short in short_forms(name, level):
            places.setdefault(short, []).append(Place(code, path, weak=level == "county"))
    PLACES = {n: tuple(p) for n, p in places.items()}
    REGION_NAMES = tuple(sorted({*COUNTRY_NAMES, *PLACES}, key=lambda n: (-len(n), n)))
    _SIGNATURE = signature
    for cached in (name_key, address_key, name_region, address_region):
        cached.cache_clear()


def load_region_names() -> None:
    """Read the provinces, cities and counties from core.Region (one query; keys are recomputed only on change)."""
    set_regions(list(Region.objects.filter(level__in=["province", "city", "county"]).values_list("code", "name", "level", "path")))


def region_evidence(names: list[str]) -> frozenset[str]:
    """Paths of the regions a chain of leading names points at (浙江省杭州市西湖区 → 西湖区).

    A name that can mean several regions (鼓楼区) keeps them all; a later name narrows to those
    inside the earlier ones; a name that contradicts them is ignored rather than trusted.
    """
    evidence: set[str] = set()
    for n in names:
        places = PLACES.get(n, ())
        inside = {p.path for p in places if any(p.path.startswith(e) for e in evidence)}
        if inside:
            evidence = inside
        elif not evidence:
            evidence = {p.path for p in places if not p.weak}
    return frozenset(evidence)


def region_agrees(evidence: frozenset[str], path: str) -> bool:
    """No evidence, or the subject's region lies inside one of the regions the text names."""
    return not evidence or any(path.startswith(e) for e in evidence)


def _bare_name(value: str) -> tuple[str, str]:
    """A name simplified and without brackets or outlet suffix, and its branch/outlet label if any."""
    v = _t2s(standard_name(value))
    labels = [m.group(1) for m in _BRACKETS.finditer(v) if OUTLET.search(m.group(1))]
    v = _BRACKETS.sub("", v).replace("（", "").replace("）", "")
    for form in LEGAL_FORMS:  # an outlet written after the legal form: 杭州鑫华餐饮有限公司文三路店
        i = v.find(form)
        if i > 0 and OUTLET.search(v[i + len(form) :]):
            labels.append(v[i + len(form) :])
            v = v[: i + len(form)]
            break
    else:
        m = _BRANCH_TAIL.search(v)  # no legal form: 鑫华食品西湖分公司
        if m and len(v) - len(m.group(0)) >= MIN_REST:
            labels.append(m.group(0))
    return v, (labels[-1].removeprefix("第") if labels else "")


def branch_label(value: str) -> str:
    """What names a branch or outlet (西湖分公司, 二分店, 文三路店), empty for a head office or single shop."""
    return _bare_name(value)[1]


def same_branch(a: str, b: str) -> bool:
    """Two branch labels name the same unit: both empty, equal, or one ends the other (食品西湖分公司 /
    西湖分公司) with no number in the extra part (十二分店 is not 二分店)."""
    if a == b or not a or not b:
        return a == b
    short, long = sorted((a, b), key=len)
    return long.endswith(short) and not _NUMERAL.search(long[: -len(short)])


@lru_cache(maxsize=200_000)
def name_key(value: str) -> str:
    """The core of a name for comparison: simplified, no region prefix, no legal form, brackets or branch marker."""
    v = strip_region(_bare_name(value)[0])
    for suffix in LEGAL_FORMS:
        if v.endswith(suffix) and len(v) > len(suffix):
            v = v[: -len(suffix)]
            break
    stripped = BRANCH.sub("", v)
    return stripped if len(v) > 4 and stripped else v


@lru_cache(maxsize=200_000)
def name_region(value: str) -> frozenset[str]:
    """The regions a name's leading division names point at (宁波鑫华食品有限公司 → 宁波市), then a
    division in brackets (鑫华食品（宁波）有限公司, 杭州鑫华（西湖）餐饮有限公司)."""
    bracketed = [m.group(1) for m in _BRACKETS.finditer(_t2s(standard_name(value))) if m.group(1) in PLACES]
    return region_evidence(split_region(_bare_name(value)[0])[0] + bracketed)


def _address_text(value: str) -> str:
    return _ADDR_NOISE.sub("", _t2s(half_width(value)))


@lru_cache(maxsize=200_000)
def address_key(value: str) -> str:
    """An address reduced to what identifies the place: simplified, no province/city, road and number kept."""
    v = strip_region(_address_text(value))
    v = v.replace("号楼", "幢").replace("弄", "号")
    return v


@lru_cache(maxsize=200_000)
def address_region(value: str) -> frozenset[str]:
    """The regions an address's leading division names point at."""
    return region_evidence(split_region(_address_text(value))[0])


def address_number(value: str) -> str:
    m = re.findall(r"(\d+)号", half_width(value))
    return m[-1] if m else ""
