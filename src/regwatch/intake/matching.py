"""Subject matching (主数据匹配): exact on USCC or licence number, else blocking + fuzzy scoring.

The fuzzy score is a weighted sum of named features — name, address, legal representative —
over the features both sides have, so the explanation says exactly why two rows were joined.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from regwatch.subjects.models import Subject, SubjectIdentifier

from .standardize import address_key, address_number, load_region_names, name_key

MERGE_THRESHOLD = 0.80
REVIEW_THRESHOLD = 0.65
WEIGHTS = {"name": 0.55, "address": 0.30, "legal_representative": 0.15}
FEATURE_LABELS = {"name": "名称", "address": "地址", "legal_representative": "法定代表人"}
MAX_CANDIDATES = 50


@dataclass
class Candidate:
    id: int
    name: str
    name_key: str
    address_key: str
    address_no: str
    legal: str
    uscc: str = ""


@dataclass
class Match:
    subject_id: int | None
    method: str  # uscc / licence / fuzzy / review / none
    score: float = 0.0
    explanation: dict[str, Any] = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return self.subject_id is not None and self.method != "review"


def bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


class SubjectIndex:
    """In-memory keys of the subjects of one pack (or all), loaded once per batch."""

    def __init__(self, pack: str | None = None) -> None:
        load_region_names()
        qs = Subject.objects.all()
        if pack:
            qs = qs.filter(pack=pack)
        self.by_uscc: dict[str, int] = {}
        self.candidates: dict[int, Candidate] = {}
        self.blocks: dict[str, set[int]] = defaultdict(set)
        for sid, uscc, name, address, legal in qs.values_list("id", "uscc", "name", "address", "legal_representative").iterator(
            chunk_size=5000
        ):
            self.add(sid, uscc, name, address, legal)
        self.by_licence: dict[str, int] = dict(
            SubjectIdentifier.objects.filter(scheme="food_licence", subject__in=qs).values_list("value", "subject_id")
        )

    def add(self, sid: int, uscc: str | None, name: str, address: str, legal: str) -> None:
        if uscc:
            self.by_uscc[uscc] = sid
        c = Candidate(
            sid, name, name_key(name), address_key(address or ""), address_number(address or ""), (legal or "").strip(), uscc or ""
        )
        self.candidates[sid] = c
        for g in bigrams(c.name_key):
            self.blocks[g].add(sid)

    def block(self, key: str) -> list[int]:
        counts: dict[int, int] = defaultdict(int)
        grams = bigrams(key)
        for g in grams:
            ids = self.blocks.get(g, ())
            if len(ids) > 2000:  # a gram like "食品" says nothing
                continue
            for sid in ids:
                counts[sid] += 1
        ranked = sorted(counts, key=lambda s: -counts[s])
        return ranked[:MAX_CANDIDATES]

    def match(self, subject: dict[str, Any]) -> Match:
        uscc = subject.get("uscc")
        if uscc and uscc in self.by_uscc:
            return Match(self.by_uscc[uscc], "uscc", 1.0, {"rule": "统一社会信用代码一致"})
        licence = subject.get("licence_no")
        if licence and licence in self.by_licence:
            return Match(self.by_licence[licence], "licence", 1.0, {"rule": "许可证编号一致"})
        name = subject.get("name")
        if not name:
            return Match(None, "none")
        key = name_key(name)
        best: tuple[float, int, dict[str, Any]] | None = None
        for sid in self.block(key):
            cand = self.candidates[sid]
            if uscc and cand.uscc and cand.uscc != uscc:
                continue  # two different registered codes are two subjects, however alike the names
            total, explanation = score(subject, key, cand)
            if best is None or total > best[0]:
                best = (total, sid, explanation)
        if best is None or best[0] < REVIEW_THRESHOLD:
            return Match(None, "none", best[0] if best else 0.0, best[2] if best else {})
        total, sid, explanation = best
        return Match(sid, "fuzzy" if total >= MERGE_THRESHOLD else "review", total, explanation)


def score(subject: dict[str, Any], key: str, cand: Candidate) -> tuple[float, dict[str, Any]]:
    features: dict[str, float] = {"name": fuzz.ratio(key, cand.name_key) / 100}
    addr = subject.get("address")
    if addr and cand.address_key:
        akey = address_key(addr)
        a = fuzz.ratio(akey, cand.address_key) / 100
        no = address_number(addr)
        if no and cand.address_no and no != cand.address_no:
            a = min(a, 0.5)  # a different house number is a different place
        features["address"] = a
    legal = (subject.get("legal_representative") or "").strip()
    if legal and cand.legal:
        features["legal_representative"] = 1.0 if legal == cand.legal else 0.0
    weight = sum(WEIGHTS[f] for f in features)
    total = sum(WEIGHTS[f] * v for f, v in features.items()) / weight
    if features["name"] < 0.75:
        total = min(total, features["name"])  # never join different names on address alone
    explanation = {
        "features": [
            {"feature": FEATURE_LABELS[f], "similarity": round(v, 3), "weight": round(WEIGHTS[f] / weight, 3)} for f, v in features.items()
        ],
        "score": round(total, 3),
        "candidate": cand.name,
    }
    return total, explanation
