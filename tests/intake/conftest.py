from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

HEADER = ["统一社会信用代码", "企业名称", "检查编号", "检查日期", "检查结果", "发现问题数", "检查人员", "检查单位"]


def inspection_rows(subjects: list[Any], prefix: str = "T", n: int | None = None) -> list[list[str]]:
    rows = []
    for i, s in enumerate(subjects[: n or len(subjects)]):
        rows.append(
            [s.uscc, s.name, f"{prefix}-{i:05d}", "2025-03-0" + str(1 + i % 9), "符合" if i % 3 else "不符合", str(i % 3), "张三", "西湖所"]
        )
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def subjects(world: None) -> list[Any]:
    from regwatch.subjects.models import Subject

    return list(Subject.objects.filter(pack="food_credit").exclude(uscc=None).order_by("pk")[:12])  # the sources below are its


@pytest.fixture
def source(world: None) -> Any:
    from regwatch.intake.models import Source

    return Source.objects.get(code="samr_inspection")
