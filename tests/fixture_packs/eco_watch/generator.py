"""Synthetic polluting units and construction projects for the eco_watch test pack.

Loaded by file path (``generator.py:generate`` in the manifest), so it imports only from
``regwatch``.  A hidden risk ``r`` drives exceedances, monitoring gaps, violations, penalties and
petitions, so the five-level grading has signal to find.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone

from regwatch.core.models import Region
from regwatch.packs.synth import SHOP_CHARS, GeneratedSubject, address, person_name, poisson, random_date, uscc

INDUSTRIES = ["C1713", "C2211", "C2614", "C2710", "C3011", "C3360", "D4411"]
WORDS = ["化工", "印染", "纸业", "水泥", "热电", "制药", "表面处理"]
POLLUTANTS = ["cod", "nh3n", "so2", "nox", "pm"]
POLLUTANT_NAMES = {"cod": "化学需氧量", "nh3n": "氨氮", "so2": "二氧化硫", "nox": "氮氧化物", "pm": "颗粒物"}


def _known_at(occurred: dt.date, horizon: dt.datetime) -> dt.datetime:
    return min(timezone.make_aware(dt.datetime.combine(occurred + dt.timedelta(days=1), dt.time(9, 0))), horizon)


def make(index: int, seed: int, grids: list[Region], today: dt.date) -> GeneratedSubject:
    rng = random.Random(seed * 7_000_003 + index)
    r = rng.betavariate(2, 4)
    grid = rng.choice(grids)
    county = grid.ancestor("county")
    city = county.ancestor("city").name.removesuffix("市")
    project = rng.random() < 0.2
    shop = "".join(rng.sample(SHOP_CHARS, 2))
    horizon = timezone.make_aware(dt.datetime.combine(today, dt.time(18, 0)))
    start = dt.date(2022, 1, 1)
    if project:
        approval = f"{city[:1]}环评批〔{rng.randint(2021, 2025)}〕{index:04d}号"
        subject = GeneratedSubject(
            index=index,
            latent_risk=r,
            fields={
                "kind": "construction_project",
                "uscc": None,
                "name": f"{county.name}{shop}{rng.choice(['道路改造', '污水管网', '厂房扩建'])}工程（{index}）",
                "region": grid,
                "industry_code": "E4813",
                "address": address(rng, grid.ancestor("township").full_name),
                "legal_representative": person_name(rng),
                "established_on": dt.date(rng.randint(2021, 2025), rng.randint(1, 12), 1),
                "status": "active",
                "attributes": {"investment_wan": round(rng.lognormvariate(8, 1), 1)},
            },
            identifiers=[("eia_approval", approval, None)],
        )
        key = approval
    else:
        code = uscc(rng, county.code, individual=False)
        i = rng.randrange(len(INDUSTRIES))
        cls = rng.choices(["key", "simplified", "registration"], weights=[0.2 + 0.4 * r, 0.5, 0.3])[0]
        subject = GeneratedSubject(
            index=index,
            latent_risk=r,
            fields={
                "kind": "pollutant_unit",
                "uscc": code,
                "name": f"{city}{shop}{WORDS[i]}有限公司{index}",
                "region": grid,
                "industry_code": INDUSTRIES[i],
                "address": address(rng, grid.ancestor("township").full_name),
                "legal_representative": person_name(rng),
                "established_on": dt.date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28)),
                "status": "active",
                "attributes": {"management_class": cls, "outlets": rng.randint(1, 6)},
            },
            identifiers=[("discharge_permit", f"{code}001{rng.choice('PVQ')}", start + dt.timedelta(days=5 * 365))],
            tags=["key_polluter"] if cls == "key" else [],
        )
        key = code
    seq = iter(range(1, 10_000))
    years = (today - start).days / 365.25

    def add(rtype: str, source: str, occurred: dt.date, summary: str, data: dict[str, Any]) -> None:
        subject.records.append(
            {
                "record_type": rtype,
                "occurred_on": occurred,
                "known_at": _known_at(occurred, horizon),
                "source": source,
                "source_ref": f"{key}-{rtype}-{next(seq)}",
                "summary": summary,
                "data": data,
            }
        )

    recent = today - dt.timedelta(days=364)
    if not project:
        for _ in range(poisson(rng, 0.2 + 8 * r * r)):
            p = rng.choice(POLLUTANTS)
            multiple = round(0.1 + rng.expovariate(1 / (0.5 + 2 * r)), 2)
            add(
                "emission_exceedance",
                "eco_online_monitoring",
                random_date(rng, recent, today),
                f"{POLLUTANT_NAMES[p]}超标{multiple}倍",
                {"pollutant": p, "multiple": multiple, "hours": rng.randint(1, 12)},
            )
        for _ in range(poisson(rng, 0.3 + 3 * r)):
            hours = rng.randint(2, 60)
            add("monitoring_outage", "eco_online_monitoring", random_date(rng, recent, today), f"数据缺失{hours}小时", {"hours": hours})
    for _ in range(poisson(rng, (0.6 + r) * years)):
        outcome = "violation" if rng.random() < 0.05 + 0.6 * r else "compliant"
        add(
            "env_inspection",
            "eco_law_enforcement",
            random_date(rng, start, today),
            "发现环境违法行为" if outcome == "violation" else "未发现环境违法行为",
            {"outcome": outcome, "officer": person_name(rng)},
        )
    for _ in range(poisson(rng, (0.02 + 0.7 * r * r) * years)):
        day = random_date(rng, start, today)
        amount = round(rng.lognormvariate(10 + r, 0.8), -2)
        add(
            "env_penalty",
            "eco_law_enforcement",
            day,
            f"罚款{amount:.0f}元",
            {"case_no": f"环罚〔{day.year}〕{rng.randint(1, 999)}号", "amount": amount},
        )
    for _ in range(poisson(rng, 0.1 + 2.5 * r)):
        n = rng.choice(["odour", "noise", "wastewater", "dust"])
        add("env_petition", "eco_petition", random_date(rng, recent, today), "环境信访", {"nuisance": n})
    if rng.random() < 0.05:
        subject.tags.append("near_water_source")
    return subject


def generate(
    *, subjects: int, seed: int, grids: list[Region], today: dt.date, progress: Callable[[int], None] | None = None
) -> Iterator[Any]:
    for i in range(subjects):
        yield make(i, seed, grids, today)
        if progress:
            progress(1)
