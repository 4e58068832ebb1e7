"""Polish seen in chromium: short CJK cells on one line, readable navbar badges, the favicon."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.scoring.models import ModelVersion
from regwatch.scoring.runs import run_scoring
from regwatch.workorders.models import WorkflowDefinition
from tests.conftest import make_overseer

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e

# Cells whose text is short (新预警, 红色, 待处理...) must not be broken over several lines.
BROKEN_SHORT_CELLS = """
() => Array.from(document.querySelectorAll("#object-list td, table td")).filter(td => {
  const text = td.innerText.trim();
  if (!text || text.length > 6 || td.querySelector("input, select, button")) return false;
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size > 1;
}).map(td => td.innerText.trim())
"""

# The counters, the search box and the user menu are fully inside the window.
NAVBAR_FITS = """
() => ["#nav-badge", "form[role=search] input", "#user-menu"].every(sel => {
  const r = document.querySelector(sel).getBoundingClientRect();
  return r.width >= 20 && r.right <= window.innerWidth;
})
"""


def test_short_cjk_cells_stay_whole_and_badges_fit_the_navbar(page: Any) -> None:
    version = ModelVersion.objects.filter(status=ModelVersion.Status.PUBLISHED, model__pack="food_credit").first()
    assert version is not None
    run_scoring(version, as_of=dt.date(2026, 11, 1), trigger="test")  # a second run: the chart has two points

    make_overseer()  # business pages: the system administrator reads none (三员分立)

    login(page, "overseer")
    # A narrow window is where one-character-per-line wrapping happened.
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{page.base_url}/warnings/")
    expect(page.locator("#object-list")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "polish-warnings.png"), full_page=False)
    assert page.evaluate(BROKEN_SHORT_CELLS) == []
    badge = page.locator("#nav-badge")
    expect(badge.locator("#todo-count")).to_be_visible()
    box = badge.bounding_box()
    assert box is not None and box["height"] < 32  # one line: 待办 n  消息 n
    assert page.evaluate(NAVBAR_FITS)

    page.set_viewport_size({"width": 1400, "height": 900})
    subject_id = version.runs.order_by("-pk").first().scores.values_list("subject_id", flat=True).first()  # type: ignore[union-attr]
    page.goto(f"{page.base_url}/subjects/{subject_id}/")
    expect(page.locator("#grade-history svg")).to_be_visible()
    assert page.evaluate(BROKEN_SHORT_CELLS) == []
    assert page.evaluate(NAVBAR_FITS)
    page.screenshot(path=str(ARTIFACTS / "polish-subject.png"), full_page=True)

    workflow = WorkflowDefinition.objects.order_by("pk").first()
    if workflow is not None:
        page.goto(f"{page.base_url}/workflows/{workflow.pk}/")
        expect(page.locator("#workflow-graph canvas, #workflow-graph svg").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "polish-workflow.png"), full_page=True)

    icon = page.request.get(f"{page.base_url}/favicon.ico")
    assert icon.ok and "svg" in icon.headers["content-type"]


def test_the_menu_is_one_row_and_date_fields_have_a_chinese_calendar(page: Any) -> None:
    make_overseer()  # business pages: the system administrator reads none (三员分立)
    login(page, "overseer")  # the user with the most menus (every business role)
    page.goto(f"{page.base_url}/workorders/stats/")
    nav = page.locator("#main-nav")
    first = nav.locator(".nav-link").first.bounding_box()
    box = nav.bounding_box()
    assert first is not None and box is not None and box["height"] < first["height"] * 1.5  # one row at 1400 px
    assert page.evaluate(NAVBAR_FITS)

    field = page.locator("#stats-from")
    field.click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text("周日")
    expect(calendar.locator(".flatpickr-monthDropdown-months, .cur-month").first).to_contain_text("月")
    page.screenshot(path=str(ARTIFACTS / "polish-date-calendar.png"))
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
    assert field.input_value().endswith("-15")  # still yyyy-mm-dd for the server
