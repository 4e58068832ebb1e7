"""The grade explanation reads as plain Chinese and its numbers add up to the score."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regwatch.scoring import describe, runs
from regwatch.scoring.models import ModelVersion
from regwatch.subjects.models import Subject
from tests.conftest import TODAY

SOURCE_TEXT = ("least(", "greatest(", "value *", "value*", "value /")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@given(k=amounts, cap=amounts)
def test_capped_rate_reads_as_points_per_unit_up_to_a_cap(k: Decimal, cap: Decimal) -> None:
    n = describe.number
    assert describe.formula(f"least(value * {k}, {cap})", "项") == f"每项计{n(k)}分，最多{n(cap)}分"
    assert describe.formula(f"least({cap}, {k} * value)", "次") == f"每次计{n(k)}分，最多{n(cap)}分"
    assert describe.formula(f"greatest(value * {k}, {cap})", "") == f"取值每增加1计{n(k)}分，最少{n(cap)}分"


@given(k=amounts)
def test_simple_shapes(k: Decimal) -> None:
    n = describe.number
    assert describe.formula(f"value * {k}", "项") == f"每项计{n(k)}分"
    assert describe.formula(f"value / {k}", "元") == f"每{n(k)}元计1分"
    assert describe.formula(f"{k}", "项") == f"固定计{n(k)}分"
    assert "e" not in n(k).lower()  # never 1e+05


@pytest.mark.parametrize(
    "text", ["if(value > 1, 3, 0)", "value - 1", "least(value * 2, 60, 70)", "round(value)", "case when value > 2 then 5 else 0 end"]
)
def test_an_unrecognised_formula_gets_a_generic_sentence_not_its_source(text: str) -> None:
    assert describe.formula(text, "项") == describe.GENERIC


def test_the_packs_description_wins_and_bins_are_described() -> None:
    item = {"indicator": "x", "formula": "least(value * 2.5, 60)", "description": "每项问题计2.5分，最多60分"}
    assert describe.rule(item, "项") == "每项问题计2.5分，最多60分"
    bins = {"indicator": "x", "bins": [{"from": 1, "points": 30}, {"from": 2, "points": 50, "label": "两次以上"}]}
    assert describe.rule(bins, "次") == "≥1次计30分；两次以上计50分"
    assert describe.rule({"indicator": "x", "bins": [{"from": 1, "points": -20}], "missing": 5}, "次") == "≥1次减20分；无数据计5分"


def _texts(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [t for v in data.values() for t in _texts(v)]
    if isinstance(data, list):
        return [t for v in data for t in _texts(v)]
    return [data] if isinstance(data, str) else []


@pytest.mark.django_db
def test_page_and_api_show_no_formula_and_the_numbers_add_up(world: None, overseer_client: Any) -> None:
    version = ModelVersion.objects.get(model__code="food_credit", status="published")
    runs.run_scoring(version, as_of=TODAY)
    graded = Subject.objects.filter(pack="food_credit", grades__isnull=False)
    # The riskiest (capped categories, floors), the safest, and some in between.
    subjects = [*graded.order_by("-grades__score")[:3], *graded.order_by("grades__score")[:2], *graded.order_by("pk")[:3]]
    seen_formula = seen_missing = False
    for subject in subjects:
        data = overseer_client.get(f"/api/v1/scoring/subjects/{subject.pk}/explanation/").json()
        page = overseer_client.get(f"/subjects/{subject.pk}/").content.decode()
        for text in [*_texts(data), page]:
            assert not any(s in text for s in SOURCE_TEXT), text[:200]
        # Items → category (capped to 0..100) → × weight → total equal to the score.
        for c in data["categories"]:
            raw = sum(i["points"] for i in c["items"])
            assert c["points_total"] == pytest.approx(raw, abs=0.01)
            assert c["sub_score"] == pytest.approx(min(max(raw, 0), 100), abs=0.01)
            assert c["contribution"] == pytest.approx(c["sub_score"] * c["weight"] / 100, abs=0.01)
            assert c["sum_text"] in page.replace("&times;", "×")
            seen_formula |= any("最多60分" in i["rule"] for i in c["items"])
        assert sum(c["contribution"] for c in data["categories"]) == pytest.approx(data["score"], abs=0.05)
        assert data["total"] == pytest.approx(data["score"], abs=0.05)
        assert f"综合风险分 {data['score']:.1f}" in page
        # Sources by name; a source with nothing for this subject says so instead of vanishing.
        assert data["freshness"] and all(f["name"] and f["name"] != f["source"] for f in data["freshness"])
        for f in data["freshness"]:
            assert f"{f['name']} {f['text']}" in page
            seen_missing |= f["latest"] is None and f["text"] == "暂无该来源数据"
    assert seen_formula and seen_missing
