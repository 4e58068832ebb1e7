"""A labelled set for subject matching, made from the subjects we hold, and its precision/recall.

True matches are rows describing an existing subject the way another department would write it:
- ``variant``: two of traditional characters, full-width, dropped legal form, an added prefix of the
  subject's own region, a typo, a reformatted address, a missing legal representative; no code;
- ``moved_address``: the subject at a new address (possibly in another county) with its USCC or a
  matchable identifier (licence number) — the code decides;
- ``missing_address``: no address, a mild name variant, usually the legal representative;
- ``abbreviation``: the trade name only (鑫华 for 杭州鑫华食品有限公司) at the subject's address.

True non-matches are the look-alikes real registers are full of:
- ``similar_name``: one shop character different, another address and legal representative;
- ``other_county``: the same trade name with another county's or city's prefix, in that place
  (half of them without an address, so the name's prefix is the only clue);
- ``branch``: a 分公司/分店 of a subject, with its own USCC (or none), at another address;
- ``chain``: another outlet (文三路店) or a sister shop of the same legal representative;
- ``abbreviation_elsewhere``: a bare trade name at an address in another county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from opencc import OpenCC

from regwatch.core.models import Region
from regwatch.packs.synth import ROADS, SHOP_CHARS, person_name, uscc
from regwatch.subjects.models import Subject, SubjectIdentifier

from .declared import matchable_schemes
from .matching import SubjectIndex
from .standardize import LEGAL_FORMS, load_region_names, name_key, short_forms, split_region

_S2T = OpenCC("s2t")
# Characters people and OCR confuse in shop names.
TYPOS = {"鑫": "鑫", "华": "化", "盛": "胜", "泰": "太", "丰": "风", "源": "原", "达": "大", "利": "力", "鸿": "宏", "祥": "详",
         "瑞": "锐", "兴": "星", "恒": "横", "昌": "长", "福": "富", "佳": "家", "美": "每", "味": "未", "香": "乡", "鲜": "先",
         "康": "健", "和": "合", "德": "得", "宏": "洪", "润": "闰", "金": "今", "宝": "保", "隆": "龙", "安": "按", "顺": "舜",
         "旺": "望", "正": "政", "诚": "成", "信": "新", "益": "意", "嘉": "加", "悦": "越", "品": "聘", "膳": "善", "禾": "和",
         "麦": "卖", "穗": "岁", "食": "实", "餐": "参", "饮": "引", "店": "点"}  # fmt: skip
POSITIVE = ("variant", "moved_address", "missing_address", "abbreviation")
NEGATIVE = ("similar_name", "other_county", "branch", "chain", "abbreviation_elsewhere")


@dataclass
class Example:
    row: dict[str, Any]
    truth: int | None
    variant: str
    category: str = "variant"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text).replace("（", "(").replace("）", ")")


def _typo(rng: random.Random, name: str) -> str:
    positions = [i for i, c in enumerate(name) if c in TYPOS and TYPOS[c] != c]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + TYPOS[name[i]] + name[i + 1 :]


def _drop_suffix(name: str) -> str:
    for s in LEGAL_FORMS:
        if name.endswith(s):
            return name[: -len(s)]
    return name


def _short(region: dict[str, Any]) -> str:
    forms = short_forms(region["name"], region["level"])
    return forms[0] if forms else region["name"]


class Places:
    """The region table in memory: a subject's province/city/county and their neighbours."""

    def __init__(self) -> None:
        regions = Region.objects.values("id", "code", "name", "level", "parent_id", "full_name")
        self.by_id: dict[int, dict[str, Any]] = {r["id"]: dict(r) for r in regions}
        self.by_level: dict[str, list[dict[str, Any]]] = {}
        for r in self.by_id.values():
            self.by_level.setdefault(r["level"], []).append(r)
        for rows in self.by_level.values():
            rows.sort(key=lambda r: r["code"])

    def chain(self, region_id: int) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        r = self.by_id.get(region_id)
        while r is not None:
            out[r["level"]] = r
            r = self.by_id.get(r["parent_id"])
        return out

    def other(self, rng: random.Random, region: dict[str, Any]) -> dict[str, Any] | None:
        """Another region of the same level (another county, another city)."""
        others = [r for r in self.by_level.get(region["level"], []) if r["id"] != region["id"]]
        return rng.choice(others) if others else None

    def county_in(self, rng: random.Random, region: dict[str, Any]) -> dict[str, Any]:
        """A county at or below ``region`` (a city's county, or the county itself)."""
        if region["level"] == "county":
            return region
        counties = [r for r in self.by_level.get("county", []) if r["parent_id"] == region["id"]]
        return rng.choice(counties) if counties else region


def _street(rng: random.Random, county: dict[str, Any]) -> str:
    return f"{county['full_name']}{rng.choice(ROADS)}{rng.choice(['路', '街', '大道'])}{rng.randint(1000, 1999)}号"


def _region_prefix(rng: random.Random, name: str, chain: dict[str, dict[str, Any]]) -> str:
    province, city = chain.get("province"), chain.get("city")
    if province is None or city is None:
        return name
    if name.startswith((city["name"], _short(city))):
        return rng.choice([province["name"], _short(province)]) + name
    prefix = rng.choice([province["name"], province["name"] + city["name"], city["name"], _short(province) + _short(city)])
    return prefix + name


def _address_variant(rng: random.Random, address: str, chain: dict[str, dict[str, Any]]) -> str:
    choice = rng.randrange(4)
    province = chain.get("province")
    if choice == 0 and province is not None:
        return address.removeprefix(province["name"]) if address.startswith(province["name"]) else province["name"] + address
    if choice == 1:
        return full_width(address)
    if choice == 2:
        return address.replace("号", " 号").replace("路", "路 ")
    return _S2T.convert(address)


VARIANTS = ("traditional", "full_width", "drop_suffix", "region_prefix", "typo", "address", "no_legal")


def _apply(rng: random.Random, kind: str, row: dict[str, Any], chain: dict[str, dict[str, Any]]) -> None:
    if kind == "traditional":
        row["name"] = _S2T.convert(row["name"])
    elif kind == "full_width":
        row["name"] = full_width(row["name"].replace("（", "(").replace("）", ")"))
    elif kind == "drop_suffix":
        row["name"] = _drop_suffix(row["name"])
    elif kind == "region_prefix":
        row["name"] = _region_prefix(rng, row["name"], chain)
    elif kind == "typo":
        row["name"] = _typo(rng, row["name"])
    elif kind == "address":
        row["address"] = _address_variant(rng, row["address"], chain)
    elif kind == "no_legal":
        row["legal_representative"] = ""


def _row(s: Subject) -> dict[str, Any]:
    return {"name": s.name, "address": s.address, "legal_representative": s.legal_representative}


def make_variant(rng: random.Random, s: Subject, places: Places) -> Example:
    row, kinds = _row(s), rng.sample(VARIANTS, 2)
    for kind in kinds:
        _apply(rng, kind, row, places.chain(s.region_id))
    return Example(row, s.pk, "+".join(kinds))


def make_moved(rng: random.Random, s: Subject, places: Places, identifiers: dict[int, str]) -> Example:
    chain = places.chain(s.region_id)
    row = _row(s)
    county = chain.get("county")
    if county is not None:
        elsewhere = places.other(rng, county) if rng.random() < 0.5 else county
        row["address"] = _street(rng, elsewhere or county)
    mild = rng.choice(["none", "traditional", "full_width", "drop_suffix"])
    _apply(rng, mild, row, chain)
    if s.pk in identifiers and (not s.uscc or rng.random() < 0.5):
        row["licence_no"], how = identifiers[s.pk], "identifier"
    else:
        row["uscc"], how = s.uscc, "uscc"
    return Example(row, s.pk, f"{how}+{mild}", "moved_address")


def make_missing_address(rng: random.Random, s: Subject, places: Places) -> Example:
    row = _row(s)
    row["address"] = ""
    mild = rng.choice(["none", "traditional", "full_width", "drop_suffix", "region_prefix"])
    _apply(rng, mild, row, places.chain(s.region_id))
    if rng.random() < 0.2:
        row["legal_representative"] = ""
        mild += "+no_legal"
    return Example(row, s.pk, mild, "missing_address")


def make_abbreviation(rng: random.Random, s: Subject, places: Places) -> Example:
    """The trade name alone (the first two characters of the name key in the generated world)."""
    chain = places.chain(s.region_id)
    trade = name_key(s.name)[:2]
    city = chain.get("city")
    name = _short(city) + trade if city is not None and rng.random() < 0.4 else trade
    row = {"name": name, "address": s.address, "legal_representative": s.legal_representative}
    if rng.random() < 0.3:
        _apply(rng, rng.choice(["address", "no_legal"]), row, chain)
    return Example(row, s.pk, "trade_name", "abbreviation")


def make_non_match(rng: random.Random, s: Subject, taken: set[str]) -> Example | None:
    """A different business whose name differs from ``s`` by one shop character, elsewhere, run by someone else."""
    key = name_key(s.name)
    shop_positions = [i for i, c in enumerate(s.name) if c in SHOP_CHARS]
    for _ in range(20):
        if not shop_positions:
            return None
        i = rng.choice(shop_positions)
        name = s.name[:i] + rng.choice(SHOP_CHARS) + s.name[i + 1 :]
        if name_key(name) != key and name_key(name) not in taken:
            road_no = rng.randint(1000, 1999)
            address = f"{s.address.rsplit('路', 1)[0]}路{road_no}号" if "路" in s.address else f"{s.address}{road_no}号"
            row = {"name": name, "address": address, "legal_representative": person_name(rng)}
            return Example(row, None, "similar_name", "similar_name")
    return None


def make_other_county(rng: random.Random, s: Subject, places: Places, names: set[str]) -> Example | None:
    """The same trade name in another county (or city): the prefix and the place change, nothing else."""
    prefixes, rest = split_region(s.name)
    chain = places.chain(s.region_id)
    if not prefixes:
        return None
    last = prefixes[-1]
    level = next((lv for lv in ("county", "city", "province") if lv in chain and last in (chain[lv]["name"], _short(chain[lv]))), None)
    if level is None:
        return None
    other = places.other(rng, chain[level])
    if other is None:
        return None
    prefix = other["name"] if last == chain[level]["name"] else _short(other)
    name = "".join(prefixes[:-1]) + prefix + rest if level != "province" else prefix + rest
    if name in names:
        return None  # that business exists: the row would be a true match
    with_address, with_legal = rng.random() < 0.5, rng.random() < 0.5  # ledgers often carry neither
    row = {
        "name": name,
        "address": _street(rng, places.county_in(rng, other)) if with_address else "",
        "legal_representative": person_name(rng) if with_legal else "",
    }
    return Example(row, None, level + ("+address" if with_address else "") + ("+legal" if with_legal else ""), "other_county")


def _outlet(name: str, label: str, bracket: bool) -> str:
    has_form = any(name.endswith(f) for f in LEGAL_FORMS)
    return f"{name}{label}" if has_form and not bracket else f"{name}（{label}）"


def make_branch(rng: random.Random, s: Subject, places: Places) -> Example:
    chain = places.chain(s.region_id)
    county = chain.get("county")
    label = rng.choice([f"{_short(county) if county else '城东'}分公司", f"{rng.choice(ROADS)}分店", f"第{rng.randint(2, 9)}分公司"])
    row = {
        "name": _outlet(s.name, label, bracket=rng.random() < 0.5),
        "address": _street(rng, county) if county else "",
        "legal_representative": s.legal_representative if rng.random() < 0.5 else person_name(rng),
    }
    has_code = county is not None and rng.random() < 0.7
    if has_code:
        assert county is not None
        row["uscc"] = uscc(rng, county["code"], individual=False)
    return Example(row, None, "own_uscc" if has_code else "no_code", "branch")


def make_chain(rng: random.Random, s: Subject, places: Places, taken: set[str]) -> Example | None:
    """Another outlet, or a sister shop, of the same legal representative, at another address."""
    chain = places.chain(s.region_id)
    county = chain.get("county")
    address = _street(rng, county) if county else ""
    if rng.random() < 0.6:
        label = f"{rng.choice(ROADS)}{rng.choice(['路', ''])}店"
        name = _outlet(s.name, label, bracket=rng.random() < 0.5)
        variant = "outlet"
    else:
        sibling = make_non_match(rng, s, taken)
        if sibling is None:
            return None
        name, variant = sibling.row["name"], "sister_shop"
        taken.add(name_key(name))
    return Example({"name": name, "address": address, "legal_representative": s.legal_representative}, None, variant, "chain")


def make_abbreviation_elsewhere(rng: random.Random, s: Subject, places: Places) -> Example | None:
    """A bare trade name at an address in another county, or prefixed with another city's name."""
    chain = places.chain(s.region_id)
    county, city = chain.get("county"), chain.get("city")
    trade = name_key(s.name)[:2]
    if rng.random() < 0.5 and city is not None:
        other_city = places.other(rng, city)
        if other_city is None:
            return None
        return Example(
            {"name": _short(other_city) + trade, "address": "", "legal_representative": ""},
            None,
            "city+trade_name",
            "abbreviation_elsewhere",
        )
    other = places.other(rng, county) if county else None
    if other is None:
        return None
    row = {"name": trade, "address": _street(rng, other), "legal_representative": person_name(rng)}
    return Example(row, None, "trade_name+address", "abbreviation_elsewhere")


def labelled_set(
    n_matches: int = 300,
    n_non_matches: int = 150,
    seed: int = 11,
    *,
    pack: str | None = None,
    hard: int = 60,
) -> list[Example]:
    """``n_matches`` variants and ``n_non_matches`` similar names, plus ``hard`` examples of each hard case."""
    load_region_names()
    rng = random.Random(seed)
    qs = Subject.objects.order_by("pk")
    if pack:
        qs = qs.filter(pack=pack)
    subjects = list(qs)
    places = Places()
    names = {s.name for s in subjects}
    taken = {name_key(s.name) for s in subjects}
    identifiers = dict(
        SubjectIdentifier.objects.filter(subject__in=qs, scheme__in=list(matchable_schemes(pack))).values_list("subject_id", "value")
    )
    examples = [make_variant(rng, s, places) for s in rng.sample(subjects, min(n_matches, len(subjects)))]

    def pick(n: int) -> list[Subject]:
        return rng.sample(subjects, min(n, len(subjects)))

    examples += [make_moved(rng, s, places, identifiers) for s in pick(hard)]
    examples += [make_missing_address(rng, s, places) for s in pick(hard)]
    examples += [make_abbreviation(rng, s, places) for s in pick(hard)]
    similar = 0
    for s in pick(n_non_matches * 2):
        ex = make_non_match(rng, s, taken)
        if ex is not None and similar < n_non_matches:
            examples.append(ex)
            taken.add(name_key(ex.row["name"]))
            similar += 1
    for make in (
        lambda s: make_other_county(rng, s, places, names),
        lambda s: make_branch(rng, s, places),
        lambda s: make_chain(rng, s, places, taken),
        lambda s: make_abbreviation_elsewhere(rng, s, places),
    ):
        made = [e for e in (make(s) for s in pick(hard * 2)) if e is not None]
        examples += made[:hard]
    return examples


@dataclass
class Category:
    """How one category of the labelled set fared."""

    examples: int = 0
    merged_right: int = 0  # positives merged into the right subject
    review: int = 0  # sent to a person
    false_merges: int = 0  # merged into a subject it is not

    @property
    def recall(self) -> float:
        return self.merged_right / self.examples if self.examples else 1.0


@dataclass
class Evaluation:
    precision: float
    recall: float
    merged: int
    review: int
    true_matches: int
    non_matches: int
    false_merges: list[tuple[Example, int]]
    missed: list[tuple[Example, str, float]]
    categories: dict[str, Category] = field(default_factory=dict)


def evaluate(examples: list[Example], index: SubjectIndex | None = None, *, pack: str | None = None) -> Evaluation:
    index = index or SubjectIndex(pack)
    tp = fp = fn = review = merged = 0
    false_merges: list[tuple[Example, int]] = []
    missed: list[tuple[Example, str, float]] = []
    categories: dict[str, Category] = {c: Category() for c in (*POSITIVE, *NEGATIVE)}
    for ex in examples:
        m = index.match(ex.row)
        cat = categories.setdefault(ex.category, Category())
        cat.examples += 1
        decided = m.subject_id if m.decided else None
        review += m.method == "review"
        cat.review += m.method == "review"
        merged += decided is not None
        if decided is not None and decided == ex.truth:
            tp += 1
            cat.merged_right += 1
        elif decided is not None:
            fp += 1
            cat.false_merges += 1
            false_merges.append((ex, decided))
        if ex.truth is not None and decided != ex.truth:
            fn += 1
            missed.append((ex, m.method, m.score))
    return Evaluation(
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / (tp + fn) if tp + fn else 1.0,
        merged=merged,
        review=review,
        true_matches=sum(1 for e in examples if e.truth is not None),
        non_matches=sum(1 for e in examples if e.truth is None),
        false_merges=false_merges,
        missed=missed,
        categories={k: v for k, v in categories.items() if v.examples},
    )
