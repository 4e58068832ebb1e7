"""The grade on the subject page and the alert pool, as a person sees them in chromium."""

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


def test_grade_explanation_on_the_subject_page_and_the_alert_pool(page: Any) -> None:
    version = ModelVersion.objects.filter(status=ModelVersion.Status.PUBLISHED, model__pack="food_credit").first()
    assert version is not None
    run_scoring(version, as_of=dt.date(2026, 11, 1), trigger="test")
    grade = (
        CurrentGrade.objects.filter(scheme=version.model.scheme, subject__region__path__startswith="/330000/330100/")
        .select_related("subject")
        .first()
    )
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


def test_grade_scheme_choice_on_the_distribution_and_subject_pages(page: Any) -> None:
    """Two packs graded side by side: the pages name the scheme they show and let the user switch."""
    from regwatch.subjects.models import Subject

    login(page, "leader")
    page.goto(f"{page.base_url}/scoring/distribution/")
    expect(page.locator("h2.page-title")).to_contain_text("食品企业信用风险分类")
    page.select_option("#scheme-select", "eco_watch_risk5")
    page.click("#scheme-form button[type=submit]")
    expect(page.locator("h2.page-title")).to_have_text("等级分布 · 环境风险五级分类")
    expect(page.locator("#by-region thead th")).to_have_count(7)  # county, five levels, total
    expect(page.locator("#grade-distribution svg")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "grade-distribution-scheme.png"), full_page=True)

    unit = Subject.objects.filter(pack="eco_watch", kind__code="pollutant_unit", region__path__startswith="/330000/330100/").first()
    assert unit is not None
    page.goto(f"{page.base_url}/subjects/{unit.pk}/")
    expect(page.locator("#grade-scheme")).to_have_value("eco_watch_credit3")
    page.select_option("#grade-scheme", "eco_watch_risk5")
    expect(page.locator("#grade-scheme")).to_have_value("eco_watch_risk5")
    expect(page.locator("#grade-current")).to_contain_text("排污单位环境风险评分模型")
    expect(page.locator("#grade-history svg")).to_be_visible()  # the swapped-in panel draws its chart too
    page.screenshot(path=str(ARTIFACTS / "subject-grade-scheme.png"), full_page=True)


def test_generic_pages_of_warnings_work_orders_and_batches(page: Any) -> None:
    """The generic list and detail of three domain types, with the app's own parts, in Chinese."""
    from django.utils import timezone

    from regwatch.accounts.models import User
    from regwatch.intake.models import Batch
    from regwatch.warnings.models import Warning
    from regwatch.workorders.models import WorkOrder
    from tests.builders import build, make_world

    world = make_world(User.objects.get(username="inspector"), User.objects.get(username="admin"))
    warning, _ = build(Warning, world)
    order, _ = build(WorkOrder, world)
    batch, _ = build(Batch, world)
    Batch.objects.filter(pk=batch.pk).update(rows_read=12, accepted=10, quarantined=2, finished_at=timezone.now())

    login(page, "leader")
    pages = [
        ("warnings-list", "/warnings/", "#bulk-form"),
        ("warnings-detail", f"/warnings/{warning.pk}/", "#warning-message"),
        ("work-orders-list", "/work-orders/", "#object-list"),
        ("work-orders-detail", f"/work-orders/{order.pk}/", "#timeline"),
    ]
    for name, url, marker in pages:
        page.goto(f"{page.base_url}{url}")
        expect(page.locator(marker)).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"generic-{name}.png"), full_page=True)
        text = page.locator("main, body").first.inner_text()
        for raw in ("True", "False", "None"):
            assert raw not in text, f"{url} shows {raw}"
    page.context.clear_cookies()
    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")
    for name, url in [("intake-batches-list", "/intake-batches/"), ("intake-batches-detail", f"/intake-batches/{batch.pk}/")]:
        page.goto(f"{page.base_url}{url}")
        expect(page.locator("h2.page-title")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"generic-{name}.png"), full_page=True)
        text = page.locator("body").inner_text()
        for raw in ("True", "False", "None"):
            assert raw not in text, f"{url} shows {raw}"
