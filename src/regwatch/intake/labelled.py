"""A labelled set for subject matching, made from the subjects we hold, and its precision/recall.

True matches are rows describing an existing subject the way another department would write it
(traditional characters, full-width, dropped legal-form suffix, added region prefix, a typo,
a reformatted address, missing legal representative) without any code, so only fuzzy
matching can find them.  True non-matches are different businesses with similar names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from opencc import OpenCC

from regwatch.packs.synth import SHOP_CHARS, person_name
from regwatch.subjects.models import Subject

from .matching import SubjectIndex
from .standardize import LEGAL_FORMS, name_key

_S2T = OpenCC("s2t")
# Characters people and OCR confuse in shop names.
TYPOS = {"鑫": "鑫", "华": "化", "盛": "胜", "泰": "太", "丰": "风", "源": "原", "达": "大", "利": "力", "鸿": "宏", "祥": "详",
         "瑞": "锐", "兴": "星", "恒": "横", "昌": "长", "福": "富", "佳": "家", "美": "每", "味": "未", "香": "乡", "鲜": "先",
         "康": "健", "和": "合", "德": "得", "宏": "洪", "润": "闰", "金": "今", "宝": "保", "隆": "龙", "安": "按", "顺": "舜",
         "旺": "望", "正": "政", "诚": "成", "信": "新", "益": "意", "嘉": "加", "悦": "越", "品": "聘", "膳": "善", "禾": "和",
         "麦": "卖", "穗": "岁", "食": "实", "餐": "参", "饮": "引", "店": "点"}  # fmt: skip


@dataclass
class Example:
    row: dict[str, Any]
    truth: int | None
    variant: str


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


def _address_variant(rng: random.Random, address: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return "浙江省" + address if not address.startswith("浙江") else address.removeprefix("浙江省")
    if choice == 1:
        return full_width(address)
    if choice == 2:
        return address.replace("号", " 号").replace("路", "路 ")
    return _S2T.convert(address)


VARIANTS = ("traditional", "full_width", "drop_suffix", "region_prefix", "typo", "address", "no_legal")


def make_variant(rng: random.Random, s: Subject) -> Example:
    name, address, legal = s.name, s.address, s.legal_representative
    kinds = rng.sample(VARIANTS, 2)
    for kind in kinds:
        if kind == "traditional":
            name = _S2T.convert(name)
        elif kind == "full_width":
            name = full_width(name.replace("（", "(").replace("）", ")"))
        elif kind == "drop_suffix":
            name = _drop_suffix(name)
        elif kind == "region_prefix":
            name = rng.choice(["浙江省", "浙江省杭州市", "杭州市", "杭州"]) + name if not name.startswith("杭州") else "浙江省" + name
        elif kind == "typo":
            name = _typo(rng, name)
        elif kind == "address":
            address = _address_variant(rng, address)
        elif kind == "no_legal":
            legal = ""
    return Example({"name": name, "address": address, "legal_representative": legal}, s.pk, "+".join(kinds))


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
            return Example({"name": name, "address": address, "legal_representative": person_name(rng)}, None, "similar_name")
    return None


def labelled_set(n_matches: int = 300, n_non_matches: int = 150, seed: int = 11) -> list[Example]:
    rng = random.Random(seed)
    subjects = list(Subject.objects.order_by("pk"))
    taken = {name_key(s.name) for s in subjects}
    picked = rng.sample(subjects, min(n_matches, len(subjects)))
    examples = [make_variant(rng, s) for s in picked]
    for s in rng.sample(subjects, min(n_non_matches * 2, len(subjects))):
        ex = make_non_match(rng, s, taken)
        if ex is not None:
            examples.append(ex)
            taken.add(name_key(ex.row["name"]))
        if sum(1 for e in examples if e.truth is None) >= n_non_matches:
            break
    return examples


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


def evaluate(examples: list[Example], index: SubjectIndex | None = None) -> Evaluation:
    index = index or SubjectIndex()
    tp = fp = fn = review = merged = 0
    false_merges: list[tuple[Example, int]] = []
    missed: list[tuple[Example, str, float]] = []
    for ex in examples:
        m = index.match(ex.row)
        decided = m.subject_id if m.decided else None
        review += m.method == "review"
        merged += decided is not None
        if decided is not None and decided == ex.truth:
            tp += 1
        elif decided is not None:
            fp += 1
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
    )
