"""The four screens of "risk at a glance" in chromium: the warning's grounds and grade, work-order
statistics, the quality report and an indicator's distribution, each with its charts drawn."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from regwatch.accounts.models import User
from regwatch.indicators.models import Indicator
from regwatch.intake.models import Batch, Source
from regwatch.quality.models import Measurement, QualityRule
from regwatch.scoring.models import CurrentGrade
from regwatch.subjects.models import Record, RecordType
from regwatch.warnings.firing import fire
from regwatch.warnings.models import Warning, WarningRule
from regwatch.workorders.models import WorkOrder
from regwatch.workorders.workflow import create_order, transition
from tests.conftest import make_overseer

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def _canvas(page: Any, holder: str) -> None:
    """ECharts has drawn into the holder (a canvas of some size)."""
    page.wait_for_selector(f"#{holder} canvas")
    box = page.locator(f"#{holder} canvas").first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100


def test_warning_page_shows_the_records_behind_it_and_the_grade(page: Any) -> None:
    grade = CurrentGrade.objects.filter(subject__kind__pack="food_credit", level__in=["C", "D"]).select_related("subject").first()
    assert grade is not None
    s = grade.subject
    Warning.objects.filter(subject=s).delete()
    rt = RecordType.objects.get(code="complaint")
    today = timezone.localdate()
    for d, text in ((5, "售卖过期食品"), (21, "后厨卫生差"), (47, "价格欺诈")):
        Record.objects.create(
            subject=s, record_type=rt, occurred_on=today - dt.timedelta(days=d), source="12315", summary=text, data={"substantiated": True}
        )
    # The third complaint fires the rule by itself (records_added); otherwise fire it here.
    w = Warning.objects.filter(subject=s, rule_key="complaint_cluster").first()
    w = w or fire(s, rule=WarningRule.objects.get(code="complaint_cluster"), context={"count": 3, "days": 90})
    assert w is not None

    make_overseer()  # business pages: the system administrator reads none (三员分立)

    login(page, "overseer")
    page.goto(f"{page.base_url}/warnings/{w.pk}/")
    rows = page.locator("#evidence-records tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    expect(page.locator("#evidence-records")).to_contain_text("售卖过期食品")
    expect(page.locator("#evidence-records")).to_contain_text("投诉举报")
    badge = page.locator("#warning-grade .grade-badge").first
    expect(badge).to_have_text(grade.level)
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.screenshot(path=str(ARTIFACTS / "screens-warning.png"), full_page=True)
    page.locator("#evidence-records a").first.click()
    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.locator("#record-data")).to_be_visible()


def _orders() -> None:
    admin = User.objects.get(username="business_admin")
    inspector = User.objects.get(username="inspector")
    subject = CurrentGrade.objects.filter(subject__region__path__startswith=inspector.organization.region.path).first().subject  # type: ignore[union-attr]
    now = timezone.now()
    for i in range(14):
        o = create_order(admin, workflow="risk_disposal", title=f"统计演示{i}", region=subject.region, subject=subject)
        transition(o, admin, "dispatch", {"assignee_org": inspector.organization.pk})
        created = now - dt.timedelta(days=2 * i + 1)
        closed = created + dt.timedelta(days=3 + i % 4) if i % 3 else None
        WorkOrder.objects.filter(pk=o.pk).update(
            created_at=created,
            closed_at=closed,
            was_overdue=i % 5 == 0,
            due_at=None if closed else now - dt.timedelta(days=1) if i % 2 else now + dt.timedelta(days=3),
        )


def test_work_order_statistics_draw_their_charts_and_export(page: Any) -> None:
    _orders()
    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")
    page.goto(f"{page.base_url}/workorders/stats/")
    for holder in ("chart-trend", "chart-state", "chart-org"):
        _canvas(page, holder)
    expect(page.locator("#total-created")).to_have_text("14")
    page.screenshot(path=str(ARTIFACTS / "screens-workorder-stats.png"), full_page=True)
    start = (timezone.localdate() - dt.timedelta(days=6)).isoformat()
    page.fill("#stats-from", start)
    page.click("#stats-filter button[type=submit]:not([name])")
    expect(page.locator("#stats-period")).to_contain_text(start)
    assert int(page.locator("#total-created").inner_text()) < 14
    with page.expect_download() as download:
        page.click("#stats-export")
    assert download.value.suggested_filename.endswith(".xlsx") and "工单统计" in download.value.suggested_filename


def _measurements() -> None:
    source = Source.objects.get(code="samr_penalty")
    region = User.objects.get(username="inspector").organization.region
    month = timezone.localdate().replace(day=1)
    rules = list(QualityRule.objects.filter(dataset__in=["penalty", "subject"])[:5])
    for back in range(6):
        period = month
        for _ in range(back):
            period = (period - dt.timedelta(days=1)).replace(day=1)
        for i, rule in enumerate(rules):
            batch = Batch.objects.create(source=source, filename=f"演示{back}{i}.csv", status="done", region=region)
            passed = 100 - (back * 3 + i * 2) % 11
            Measurement.objects.create(
                rule=rule, source=source, batch=batch, period=period, total=100, passed=passed, value=passed / 100,
                ok=rule.passes(passed / 100), region=region,
            )  # fmt: skip


def test_quality_report_draws_trends(page: Any) -> None:
    _measurements()
    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")
    page.goto(f"{page.base_url}/quality/report/?source=samr_penalty")
    _canvas(page, "trend-source")
    _canvas(page, "trend-dimension")
    expect(page.locator("#by-dataset")).to_contain_text("行政处罚")
    expect(page.locator("#by-field")).to_contain_text("%")
    page.screenshot(path=str(ARTIFACTS / "screens-quality.png"), full_page=True)


def test_indicator_distribution_is_a_chart(page: Any) -> None:
    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")
    for code in ("inspection_fail_rate", "penalties_12m"):
        ind = Indicator.objects.get(code=code)
        page.goto(f"{page.base_url}/indicators/{ind.pk}/")
        _canvas(page, "value-distribution-chart")
        expect(page.locator("#distribution-summary")).to_contain_text("中位数")
        page.screenshot(path=str(ARTIFACTS / f"screens-indicator-{code}.png"), full_page=True)
