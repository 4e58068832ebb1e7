"""Subject matching (主数据匹配): exact on USCC or a matchable identifier, else blocking + fuzzy scoring.

The fuzzy score is a weighted sum of named features — name, address, legal representative —
over the features both sides have, so the explanation says exactly why two rows were joined.
Two vetoes keep look-alikes apart whatever the score: a row whose name or address places it in
another region than the candidate (the same trade name in another county), and a branch or
outlet against its head office or another outlet (分公司, 文三路店).  Only a shared code joins those.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from regwatch.subjects.models import Subject, SubjectIdentifier

from .declared import matchable_schemes
from .standardize import (
    address_key,
    address_number,
    address_region,
    branch_label,
    load_region_names,
    name_key,
    name_region,
    region_agrees,
    same_branch,
)

MERGE_THRESHOLD = 0.80
REVIEW_THRESHOLD = 0.65
WEIGHTS = {"name": 0.55, "address": 0.30, "legal_representative": 0.15}
FEATURE_LABELS = {"name": "名称", "address": "地址", "legal_representative": "法定代表人"}
MAX_CANDIDATES = 50
SHORT_KEY = 4  # keys this short fall back to single-character blocking when no bigram is shared
VETO_SCORE = 0.5  # below review: a vetoed candidate is reported, never proposed
AMBIGUITY_MARGIN = 0.05  # two subjects this close cannot be told apart without a person
ABBREVIATION = 0.8  # name similarity of a trade-name-only abbreviation (鑫华 for 杭州鑫华食品有限公司)


@dataclass
class Candidate:
    id: int
    name: str
    name_key: str
    address_key: str
    address_no: str
    legal: str
    uscc: str = ""
    region_path: str = ""
    branch: str = ""


@dataclass
class Match:
    subject_id: int | None
    method: str  # uscc / identifier / fuzzy / review / none
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
        self.chars: dict[str, set[int]] = defaultdict(set)
        rows = qs.values_list("id", "uscc", "name", "address", "legal_representative", "region__path")
        for sid, uscc, name, address, legal, path in rows.iterator(chunk_size=5000):
            self.add(sid, uscc, name, address, legal, path)
        self.schemes = matchable_schemes(pack)
        # value → (subject, scheme); a value two subjects share under different schemes identifies neither
        self.by_identifier: dict[str, tuple[int, str] | None] = {}
        identifiers = SubjectIdentifier.objects.filter(scheme__in=list(self.schemes), subject__in=qs)
        for value, sid, scheme in identifiers.values_list("value", "subject_id", "scheme").iterator(chunk_size=5000):
            seen = self.by_identifier.get(value, (sid, scheme))
            self.by_identifier[value] = (sid, scheme) if seen and seen[0] == sid else None

    def add(self, sid: int, uscc: str | None, name: str, address: str, legal: str, region_path: str = "") -> None:
        if uscc:
            self.by_uscc[uscc] = sid
        c = Candidate(
            sid,
            name,
            name_key(name),
            address_key(address or ""),
            address_number(address or ""),
            (legal or "").strip(),
            uscc or "",
            region_path or "",
            branch_label(name),
        )
        self.candidates[sid] = c
        for g in bigrams(c.name_key):
            self.blocks[g].add(sid)
        for ch in set(c.name_key):
            self.chars[ch].add(sid)

    def block(self, key: str) -> list[int]:
        counts = self._count(self.blocks, bigrams(key))
        if not counts and len(key) <= SHORT_KEY:
            # A typo in the middle of a three-character key (诚保店 for 诚宝店) shares no bigram; single
            # characters still find the candidate, whose low name similarity then sends it to review at most.
            counts = self._count(self.chars, set(key))
        ranked = sorted(counts, key=lambda s: -counts[s])
        return ranked[:MAX_CANDIDATES]

    @staticmethod
    def _count(index: dict[str, set[int]], grams: set[str]) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for g in grams:
            ids = index.get(g, ())
            if len(ids) > 2000:  # a gram like "食品" says nothing
                continue
            for sid in ids:
                counts[sid] += 1
        return counts

    def match(self, subject: dict[str, Any]) -> Match:
        uscc = subject.get("uscc")
        if uscc and uscc in self.by_uscc:
            return Match(self.by_uscc[uscc], "uscc", 1.0, {"rule": "统一社会信用代码一致"})
        hit = self.by_identifier.get(subject.get("licence_no") or "")
        if hit is not None:
            return Match(hit[0], "identifier", 1.0, {"rule": f"{self.schemes[hit[1]]}一致"})
        name = subject.get("name")
        if not name:
            return Match(None, "none")
        row = Row(subject)
        scored: list[tuple[float, int, dict[str, Any]]] = []
        for sid in self.block(row.key):
            cand = self.candidates[sid]
            if uscc and cand.uscc and cand.uscc != uscc:
                continue  # two different registered codes are two subjects, however alike the names
            total, explanation = row.score(cand)
            scored.append((total, sid, explanation))
        if not scored:
            return Match(None, "none")
        scored.sort(key=lambda s: -s[0])
        total, sid, explanation = scored[0]
        if total < REVIEW_THRESHOLD:
            return Match(None, "none", total, explanation)
        method = "fuzzy" if total >= MERGE_THRESHOLD else "review"
        if method == "fuzzy" and len(scored) > 1 and scored[1][0] >= total - AMBIGUITY_MARGIN:
            method = "review"  # two subjects fit about as well: a person decides
            explanation = {**explanation, "conflicts": [*explanation.get("conflicts", []), f"另有相近主体“{scored[1][2]['candidate']}”"]}
        return Match(sid, method, total, explanation)


class Row:
    """The keys of one incoming row, computed once and scored against each candidate."""

    def __init__(self, subject: dict[str, Any]) -> None:
        name = subject.get("name") or ""
        self.key = name_key(name)
        self.branch = branch_label(name)
        self.address = subject.get("address") or ""
        self.address_key = address_key(self.address) if self.address else ""
        self.address_no = address_number(self.address) if self.address else ""
        self.legal = (subject.get("legal_representative") or "").strip()
        # Each kind of evidence on its own: a name that says 宁波 and an address that says 西湖区 both count.
        self.regions = [name_region(name), address_region(self.address) if self.address else frozenset()]

    def score(self, cand: Candidate) -> tuple[float, dict[str, Any]]:
        name = fuzz.ratio(self.key, cand.name_key) / 100
        abbreviation = len(self.key) >= 2 and self.key != cand.name_key and cand.name_key.startswith(self.key)
        if abbreviation:
            name = max(name, ABBREVIATION)
        features: dict[str, float] = {"name": name}
        if self.address_key and cand.address_key:
            a = fuzz.ratio(self.address_key, cand.address_key) / 100
            if self.address_no and cand.address_no and self.address_no != cand.address_no:
                a = min(a, 0.5)  # a different house number is a different place
            features["address"] = a
        if self.legal and cand.legal:
            features["legal_representative"] = 1.0 if self.legal == cand.legal else 0.0
        weight = sum(WEIGHTS[f] for f in features)
        total = sum(WEIGHTS[f] * v for f, v in features.items()) / weight
        conflicts: list[str] = []
        if features["name"] < 0.75:
            total = min(total, features["name"])  # never join different names on address alone
        if abbreviation and features.get("address", 0) < 0.85 and features.get("legal_representative", 0) < 1:
            total = min(total, MERGE_THRESHOLD - 0.01)  # a bare trade name needs the place or the person to agree
            conflicts.append("仅字号相同，地址与法定代表人均未印证")
        if len(features) == 1 and name < 1:
            total = min(total, MERGE_THRESHOLD - 0.01)  # a name that is merely close, with nothing else to go on
        if not all(region_agrees(e, cand.region_path) for e in self.regions):
            total = min(total, VETO_SCORE)
            conflicts.append("所在区划不一致")
        if not same_branch(self.branch, cand.branch):
            total = min(total, VETO_SCORE)
            conflicts.append("分支机构不一致（分公司、门店不并入总公司或其他门店）")
        explanation: dict[str, Any] = {
            "features": [
                {"feature": FEATURE_LABELS[f], "similarity": round(v, 3), "weight": round(WEIGHTS[f] / weight, 3)}
                for f, v in features.items()
            ],
            "score": round(total, 3),
            "candidate": cand.name,
        }
        if conflicts:
            explanation["conflicts"] = conflicts
        return total, explanation
