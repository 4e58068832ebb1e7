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
    login(page, "admin")
    for name, url in [("intake-batches-list", "/intake-batches/"), ("intake-batches-detail", f"/intake-batches/{batch.pk}/")]:
        page.goto(f"{page.base_url}{url}")
        expect(page.locator("h2.page-title")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"generic-{name}.png"), full_page=True)
        text = page.locator("body").inner_text()
        for raw in ("True", "False", "None"):
            assert raw not in text, f"{url} shows {raw}"
