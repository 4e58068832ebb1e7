"""Synthetic food businesses whose hidden risk drives what happens to them.

Each subject gets a latent risk ``r`` in [0, 1] (Beta(2, 5): most are low).  ``r``
raises the rates of failed inspections, failed samples, penalties, complaints and
abnormal operation, and lowers rectification and credit-repair success, so a
grading model has real signal to find.  ``r`` itself is stored only in
``SyntheticTruth`` for evaluation.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from regwatch.core.models import Region
from regwatch.packs.synth import SHOP_CHARS, GeneratedSubject, address, person_name, poisson, random_date, uscc

FORMATS = {
    "production": (
        ["C131", "C133", "C135", "C136", "C141", "C142", "C143", "C144", "C146", "C151", "C152", "C153"],
        ["食品", "食品科技", "粮油", "乳业", "肉制品", "调味品", "茶业", "饮品", "烘焙食品"],
        "SC",
    ),
    "sales": (["F512", "F521", "F522"], ["食品贸易", "超市", "商贸", "副食品", "生鲜超市", "粮油贸易"], "JY1"),
    "catering": (["H621", "H622", "H623", "H624", "H629"], ["餐饮管理", "餐饮", "酒家", "饭店", "小吃", "面馆", "火锅"], "JY2"),
}
LEGAL_FORMS = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]
INDIVIDUAL_SUFFIX = ["店", "小吃店", "便利店", "食品店", "面馆", "餐馆"]
SOURCES = {
    "licence": "samr_licence",
    "routine_inspection": "samr_inspection",
    "special_inspection": "samr_inspection",
    "random_inspection": "samr_random",
    "sampling": "samr_sampling",
    "penalty": "samr_penalty",
    "complaint": "12315",
    "abnormal_operation": "samr_registry",
    "rectification": "samr_inspection",
    "credit_repair": "credit_repair",
}
RESULT_NAMES = {"pass": "符合", "basic_pass": "基本符合", "fail": "不符合"}
PENALTY_NAMES = {"warning": "警告", "fine": "罚款", "confiscate": "没收违法所得", "suspend": "责令停产停业", "revoke_licence": "吊销许可证"}
COMPLAINT_NAMES = {"hygiene": "卫生状况", "quality": "食品质量", "expired": "过期食品", "label": "标签标识", "no_licence": "无证经营"}


class FoodSubjectFactory:
    def __init__(self, seed: int, grids: list[Region], today: dt.date) -> None:
        self.seed = seed
        self.grids = grids
        self.today = today
        self.horizon = timezone.make_aware(dt.datetime.combine(today, dt.time(18, 0)))
        self.names: set[str] = set()

    def _known_at(self, rng: random.Random, occurred: dt.date, lag: tuple[int, int]) -> dt.datetime:
        days = rng.randint(*lag) if rng.random() > 0.05 else rng.randint(60, 180)  # some data arrives late
        known = dt.datetime.combine(occurred + dt.timedelta(days=days), dt.time(10, rng.randint(0, 59)))
        # Nothing is known after the generation date, so a run with the same seed and date is identical.
        return min(timezone.make_aware(known), self.horizon)

    def _name(self, rng: random.Random, grid: Region, fmt: str, individual: bool) -> str:
        county = grid.ancestor("county")
        city = county.ancestor("city").name.removesuffix("市")
        for _ in range(50):
            shop = "".join(rng.sample(SHOP_CHARS, 2))
            word = rng.choice(FORMATS[fmt][1])
            name = f"{county.name}{shop}{rng.choice(INDIVIDUAL_SUFFIX)}" if individual else f"{city}{shop}{word}{rng.choice(LEGAL_FORMS)}"
            if name not in self.names:
                break
            name = (
                f"{name[:-2]}（{rng.choice(['一', '二', '三', '四'])}分店）"
                if individual
                else f"{city}{shop}{word}{rng.randint(2, 99)}{rng.choice(LEGAL_FORMS)}"
            )
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def make(self, index: int) -> GeneratedSubject:
        rng = random.Random(self.seed * 1_000_003 + index)
        r = rng.betavariate(2, 5)
        grid = rng.choice(self.grids)
        county = grid.ancestor("county")
        individual = rng.random() < 0.3
        fmt = rng.choices(list(FORMATS), weights=[0.15, 0.35, 0.5])[0]
        industries, _, licence_prefix = FORMATS[fmt]
        code = uscc(rng, county.code, individual)
        established = dt.date(rng.randint(2000, 2023), rng.randint(1, 12), rng.randint(1, 28))
        subject = GeneratedSubject(
            index=index,
            latent_risk=r,
            fields={
                "kind": "food_individual" if individual else "food_enterprise",
                "uscc": code,
                "name": self._name(rng, grid, fmt, individual),
                "region": grid,
                "industry_code": rng.choice(industries),
                "address": address(rng, grid.ancestor("township").full_name),
                "legal_representative": person_name(rng),
                "established_on": established,
                "status": "active",
                "attributes": {
                    "business_format": fmt,
                    "employees": max(1, int(rng.lognormvariate(2.2, 1.0))),
                    "area_sqm": round(rng.lognormvariate(4.5, 0.8)),
                },
            },
        )
        licence_no = f"{licence_prefix}{county.code}{index:07d}"[:16]
        self._records(rng, subject, r, fmt, licence_no, max(established, dt.date(2022, 1, 1)), renewal=established < dt.date(2022, 1, 1))
        return subject

    def _records(self, rng: random.Random, s: GeneratedSubject, r: float, fmt: str, licence_no: str, start: dt.date, renewal: bool) -> None:
        today = self.today
        years = max((today - start).days / 365.25, 0.1)
        uscc_code = s.fields["uscc"]
        seq = iter(range(1, 10_000))

        def add(rtype: str, occurred: dt.date, summary: str, data: dict[str, Any], lag: tuple[int, int] = (0, 5)) -> None:
            if occurred > today:  # a follow-up (rectification, repair) that has not happened yet
                return
            s.records.append(
                {
                    "record_type": rtype,
                    "occurred_on": occurred,
                    "known_at": self._known_at(rng, occurred, lag),
                    "source": SOURCES[rtype],
                    "source_ref": f"{uscc_code}-{rtype}-{next(seq)}",
                    "summary": summary,
                    "data": data,
                }
            )

        valid_until = start + dt.timedelta(days=5 * 365)
        add(
            "licence",
            start,
            f"{'延续' if renewal else '新办'}许可 {licence_no}",
            {
                "licence_no": licence_no,
                "business_format": fmt,
                "action": "renew" if renewal else "new",
                "valid_from": start.isoformat(),
                "valid_until": valid_until.isoformat(),
            },
        )
        s.identifiers.append(("food_licence", licence_no, valid_until))

        def inspections(rtype: str, rate: float, fail_p: float) -> None:
            for _ in range(poisson(rng, rate * years)):
                day = random_date(rng, start, today)
                roll = rng.random()
                result = "fail" if roll < fail_p else ("basic_pass" if roll < fail_p + 0.2 else "pass")
                problems = 0 if result == "pass" else rng.randint(1, 3 + int(6 * r))
                add(
                    rtype,
                    day,
                    f"{RESULT_NAMES[result]}（发现问题{problems}项）",
                    {"result": result, "problems": problems, "inspector": person_name(rng), "unit": "市场监管所"},
                )
                if result == "fail" and rng.random() < 0.9:
                    deadline = day + dt.timedelta(days=15)
                    done = rng.random() < 0.95 - 0.6 * r and deadline < today
                    add(
                        "rectification",
                        day + dt.timedelta(days=1),
                        "责令整改" + ("（已完成）" if done else "（未完成）"),
                        {
                            "order_no": f"整改〔{day.year}〕{rng.randint(1, 9999)}号",
                            "deadline": deadline.isoformat(),
                            "completed": done,
                            "completed_on": (deadline - dt.timedelta(days=rng.randint(0, 10))).isoformat() if done else None,
                        },
                    )

        inspections("routine_inspection", 1.0 + 1.5 * r, 0.03 + 0.45 * r)
        inspections("special_inspection", 0.25, 0.05 + 0.4 * r)
        inspections("random_inspection", 0.2, 0.05 + 0.4 * r)

        for _ in range(poisson(rng, (1.0 if fmt == "production" else 0.4) * years)):
            day = random_date(rng, start, today)
            failed = rng.random() < 0.01 + 0.25 * r
            add(
                "sampling",
                day,
                "抽检" + ("不合格" if failed else "合格"),
                {
                    "product": rng.choice(["糕点", "饮料", "熟肉制品", "调味品", "粮食加工品", "餐饮食品"]),
                    "result": "fail" if failed else "pass",
                    "item": rng.choice(["菌落总数", "大肠菌群", "防腐剂", "农药残留"]) if failed else "",
                },
                lag=(7, 30),
            )

        for _ in range(poisson(rng, (0.03 + 0.8 * r * r) * years)):
            day = random_date(rng, start, today)
            ptype = rng.choices(list(PENALTY_NAMES), weights=[3, 6, 2, 1 + 2 * r, 0.2 + 2 * r])[0]
            amount = 0 if ptype == "warning" else round(rng.lognormvariate(8.5 + r, 1.0), -2)
            serious = ptype == "revoke_licence" or (r > 0.6 and rng.random() < 0.3)
            decision = f"市监处罚〔{day.year}〕{rng.randint(1, 999)}号"
            add(
                "penalty",
                day,
                f"{PENALTY_NAMES[ptype]}" + (f" {amount:.0f}元" if amount else ""),
                {
                    "decision_no": decision,
                    "penalty_type": ptype,
                    "amount": amount,
                    "serious": serious,
                    "violation": rng.choice(
                        ["经营超过保质期的食品", "未按规定进行进货查验", "从业人员未取得健康证明", "生产经营场所卫生不符合要求"]
                    ),
                },
                lag=(3, 20),
            )
            if serious:
                s.tags.append("serious_violation_list")
            if ptype == "revoke_licence":
                s.fields["status"] = "revoked"
            if rng.random() < 0.35:
                repair_day = day + dt.timedelta(days=rng.randint(90, 400))
                if repair_day < today:
                    result = "approved" if rng.random() < 0.9 - 0.7 * r else "rejected"
                    add(
                        "credit_repair",
                        repair_day,
                        "信用修复" + ("准予修复" if result == "approved" else "不予修复"),
                        {"applied_on": repair_day.isoformat(), "result": result, "related_penalty": decision},
                        lag=(5, 20),
                    )

        for _ in range(poisson(rng, (0.1 + 2.5 * r**1.5) * years)):
            day = random_date(rng, start, today)
            ctype = rng.choice(list(COMPLAINT_NAMES))
            substantiated = rng.random() < 0.2 + 0.6 * r
            add(
                "complaint",
                day,
                f"{COMPLAINT_NAMES[ctype]}" + ("（属实）" if substantiated else "（不属实）"),
                {
                    "channel": rng.choice(["12315", "12345", "letter", "online"]),
                    "complaint_type": ctype,
                    "substantiated": substantiated,
                    "repeat": rng.random() < 0.3 * r,
                    "status": "办结",
                },
                lag=(0, 2),
            )

        if rng.random() < 0.02 + 0.3 * r:
            day = random_date(rng, start, today)
            removed = rng.random() < 0.5
            add(
                "abnormal_operation",
                day,
                "列入经营异常名录" + ("（已移出）" if removed else ""),
                {
                    "reason": rng.choice(["no_annual_report", "unreachable", "false_info"]),
                    "removed_on": (day + dt.timedelta(days=120)).isoformat() if removed else None,
                },
            )
            if not removed and s.fields["status"] == "active":
                s.fields["status"] = "abnormal"

        if fmt == "catering" and rng.random() < 0.08:
            s.tags.append("school_vicinity")
        if fmt == "catering" and rng.random() < 0.25:
            s.tags.append("online_catering")
        if fmt == "sales" and rng.random() < 0.1:
            s.tags.append("cold_chain")
        s.tags = sorted(set(s.tags))


def generate(*, subjects: int, seed: int, grids: list[Region], today: dt.date, progress: Callable[[int], None] | None = None) -> Any:
    """Yield generated subjects one at a time (the writer batches them)."""
    factory = FoodSubjectFactory(seed, grids, today)
    for i in range(subjects):
        yield factory.make(i)
        if progress:
            progress(1)
