"""Building blocks for synthetic data that looks like what regulators hold.

Everything is driven by a seeded ``random.Random`` so a generator run is repeatable.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from regwatch.core.identifiers import USCC_CHARSET, uscc_check_char


@dataclass
class GeneratedSubject:
    """What a pack generator yields per subject; ``packs/generate.py`` writes it in bulk."""

    index: int
    fields: dict[str, Any]
    latent_risk: float
    identifiers: list[tuple[str, str, dt.date | None]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾夏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海波宁晨浩宇欣怡子涵俊杰雪婷文博思远佳琪一鸣德胜永福淑珍"
SHOP_CHARS = "鑫华盛泰丰源达利鸿祥瑞兴恒昌福佳美味香鲜绿康和德宏润金宝隆安顺旺正诚信益嘉悦品膳禾麦穗"
ROADS = [
    "文三",
    "文二",
    "教工",
    "学院",
    "天目山",
    "莫干山",
    "延安",
    "解放",
    "中山",
    "人民",
    "建设",
    "环城",
    "滨江",
    "江南",
    "长河",
    "湖墅",
    "东新",
    "石桥",
    "丽水",
    "萍水",
    "凤起",
    "庆春",
    "秋涛",
    "钱江",
]
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "".join(rng.choice(_ORG_CHARS) for _ in range(8))
    values = [int(c, 36) for c in body]
    c9 = 11 - sum(v * w for v, w in zip(values, ORG_CODE_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(c9, str(c9))


def uscc(rng: random.Random, county_code: str, individual: bool) -> str:
    first17 = ("92" if individual else "91") + county_code[:6] + org_code(rng)
    assert all(c in USCC_CHARSET for c in first17)
    return first17 + uscc_check_char(first17)


def address(rng: random.Random, region_full_name: str) -> str:
    return f"{region_full_name}{rng.choice(ROADS)}{rng.choice(['路', '街', '大道'])}{rng.randint(1, 999)}号"


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(span, 0)))
