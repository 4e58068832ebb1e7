"""Loading the GB/T 2260 divisions we ship and the finer levels below a county.

Township, village and grid codes follow the statistical-division layout
(county 6 digits + township 3 + village 3) and a grid adds 3 more.  Below the
county the names are generated: real township lists are local data that each
deployment imports from its own civil-affairs department.
"""

from __future__ import annotations

import csv
import random
from importlib import resources

from django.db import transaction

from .models import Region, RegionLevel

_PLACE_WORDS = [
    "东湖",
    "西溪",
    "南湖",
    "北塘",
    "新桥",
    "长安",
    "和平",
    "永兴",
    "文昌",
    "兴华",
    "青山",
    "白沙",
    "临江",
    "花园",
    "金桥",
    "盛泰",
    "清河",
    "丰收",
    "湖滨",
    "望江",
    "梅林",
    "桃源",
    "石桥",
    "龙山",
]


def read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("regwatch.core.data").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def load_gbt2260() -> int:
    """Upsert the shipped divisions; returns how many were created."""
    created = 0
    by_code = {r.code: r for r in Region.objects.all()}
    for row in read_csv("gbt2260.csv"):
        parent = by_code.get(row["parent"]) if row["parent"] else None
        region = by_code.get(row["code"])
        if region is None:
            region = Region(code=row["code"])
            created += 1
        if (region.name, region.level, region.parent_id) != (row["name"], row["level"], parent.pk if parent else None):
            region.name, region.level, region.parent = row["name"], row["level"], parent
            region.save()
        by_code[region.code] = region
    return created


@transaction.atomic
def ensure_subdivisions(county: Region, townships: int = 6, villages: int = 4, grids: int = 2) -> list[Region]:
    """Create generated townships, villages and grids under a county; returns its grids."""
    rng = random.Random(county.code)
    words = rng.sample(_PLACE_WORDS, k=min(townships, len(_PLACE_WORDS)))
    existing = {r.code: r for r in Region.objects.filter(path__startswith=county.path)}
    leaves: list[Region] = []

    def get(code: str, name: str, level: str, parent: Region) -> Region:
        region = existing.get(code)
        if region is None:
            region = Region(code=code, name=name, level=level, parent=parent)
            region.save()
            existing[code] = region
        return region

    for t, word in enumerate(words, start=1):
        suffix = "街道" if t <= townships // 2 else "镇"
        town = get(f"{county.code}{t:03d}", f"{word}{suffix}", RegionLevel.TOWNSHIP, county)
        for v in range(1, villages + 1):
            vname = f"{word}{'社区' if suffix == '街道' else '村'}" if v == 1 else f"{word}第{v}{'社区' if suffix == '街道' else '村'}"
            village = get(f"{town.code}{v:03d}", vname, RegionLevel.VILLAGE, town)
            for g in range(1, grids + 1):
                leaves.append(get(f"{village.code}{g:03d}", f"第{g}网格", RegionLevel.GRID, village))
    return leaves
