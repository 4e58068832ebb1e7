"""The grade on the subject page and the alert pool, as a person sees them in chromium."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.scoring.models import CurrentGrade, ModelVersion
from regwatch.scoring.runs import run_scoring

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_grade_explanation_on_the_subject_page_and_the_alert_pool(page: Any) -> None:
    version = ModelVersion.objects.filter(status=ModelVersion.Status.PUBLISHED).first()
    assert version is not None
    run_scoring(version, as_of=dt.date(2026, 11, 1), trigger="test")
    grade = CurrentGrade.objects.filter(subject__region__path__startswith="/330000/330100/").select_related("subject").first()
    assert grade is not None

    login(page, "leader")
    page.goto(f"{page.base_url}/subjects/{grade.subject_id}/")
    expect(page.locator("#grade-current")).to_contain_text(grade.level)
    expect(page.locator("#grade-explanation tbody tr").first).to_be_visible()
    expect(page.locator("#grade-history svg")).to_be_visible()  # the grade-history chart was drawn
    page.screenshot(path=str(ARTIFACTS / "subject-grade.png"), full_page=True)

    page.goto(f"{page.base_url}/warnings/")
    expect(page.locator("h2.page-title")).to_have_text("预警池")
    expect(page.locator("#object-list")).to_be_visible()
    expect(page.locator("#bulk-form")).to_be_visible()
