"""The grade explanation panel as a citizen reads it in chromium: sentences, sums, sources by name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.scoring.models import CurrentGrade, ModelVersion
from regwatch.scoring.runs import run_scoring
from tests.conftest import make_overseer

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_the_explanation_panel_reads_as_sentences_that_add_up(page: Any) -> None:
    version = ModelVersion.objects.get(status=ModelVersion.Status.PUBLISHED, model__pack="food_credit")
    run_scoring(version, as_of=dt.date(2026, 11, 1), trigger="test")
    grade = CurrentGrade.objects.filter(scheme=version.model.scheme).order_by("-score").first()
    assert grade is not None

    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")
    page.goto(f"{page.base_url}/subjects/{grade.subject_id}/")
    panel = page.locator("#grade-panel")
    expect(panel.locator(".grade-subtotal").first).to_contain_text("项目得分合计")
    expect(panel.locator("#grade-total")).to_contain_text(f"综合风险分 {grade.score:.1f}")
    expect(panel).to_contain_text("每项问题计2.5分，最多60分")
    expect(panel.locator("#grade-freshness")).to_contain_text("最新获知")
    text = panel.inner_text()
    assert not any(s in text for s in ("least(", "greatest(", "value *"))
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "grade-explanation-panel.png"))
