"""The leader's journey in chromium: from the landing page to the riskiest subjects, and why they are risky."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.scoring.models import GradeScheme

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-leader-{name}.png"), full_page=True)


def test_the_leader_finds_a_d_grade_subject_and_reads_its_explanation(page: Any) -> None:
    scheme = GradeScheme.objects.get(code="food_credit_abcd")
    worst = scheme.levels[-1]
    worst_label = scheme.level_label(worst["code"])

    login(page, "leader")
    page.goto(f"{page.base_url}/")
    card = page.locator("#card-risk")
    expect(card).to_contain_text(worst_label)
    shot(page, "0-home")

    page.goto(f"{page.base_url}/subjects/")
    expect(page.locator("#object-list thead")).to_contain_text("风险等级")
    shot(page, "1-subjects")
    page.select_option("#id_grade", label=worst_label)  # the filter form refreshes the table by itself
    expect(page).to_have_url(re.compile(r"grade=food_credit_abcd(%3A|:)" + worst["code"]))
    expect(page.locator("#object-list tbody tr").first.locator(".grade-badge")).to_have_text(worst_label)
    badges = page.locator("#object-list tbody .grade-badge")
    assert set(badges.all_inner_texts()) == {worst_label}
    count = page.locator("#result-count").inner_text()
    shot(page, "2-list-worst-grade")

    # Worst first: the score column sorted descending, the filter kept.
    page.click("#object-list thead >> text=综合风险分")
    expect(page.locator("#object-list thead")).to_contain_text("综合风险分 ↑")
    page.click("#object-list thead >> text=综合风险分")
    expect(page.locator("#object-list thead")).to_contain_text("综合风险分 ↓")
    scores = [float(s) for s in page.locator("#object-list tbody tr td:nth-child(3)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    assert set(badges.all_inner_texts()) == {worst_label}
    shot(page, "3-sorted-by-score")

    # Narrowing by a district from the tree of the leader's scope keeps the sort and the grade.
    district = page.locator("#id_region option").nth(2).inner_text()
    page.select_option("#id_region", label=district)
    expect(page).to_have_url(re.compile(r"region=\d+"))
    expect(page.locator("#object-list thead")).to_contain_text("综合风险分 ↓")
    assert "sort=-risk_score" in page.url
    assert set(badges.all_inner_texts()) <= {worst_label}
    page.select_option("#id_region", index=0)
    expect(page).to_have_url(re.compile(r"region=(&|$)"))
    expect(page.locator("#result-count")).to_have_text(count)
    assert page.url.count("sort=") == 1  # the address holds the list's state once, not a growing history

    name = page.locator("#object-list tbody tr td:first-child a").first.inner_text()
    page.locator("#object-list tbody tr td:first-child a").first.click()
    expect(page.locator("h2, h1").first).to_contain_text(name)
    panel = page.locator("#grade-panel")
    expect(panel.locator("#grade-current")).to_contain_text(worst_label)
    expect(panel.locator("#grade-explanation")).to_contain_text("得分")
    expect(panel.locator("#grade-total")).to_contain_text(f"综合风险分 {scores[0]:.1f}")
    text = panel.inner_text()
    assert not any(s in text for s in ("least(", "greatest(", "value *", "None"))
    panel.scroll_into_view_if_needed()
    shot(page, "4-explanation")


def test_a_list_keeps_page_size_and_chosen_columns(page: Any) -> None:
    login(page, "leader")
    page.goto(f"{page.base_url}/records/")
    page.select_option("#page-size", "25")
    expect(page.locator("#object-list tbody tr")).to_have_count(25)
    page.fill("#jump-page", "3")
    page.click("#page-jump button")
    expect(page.locator("#page-of")).to_contain_text("第 3 /")
    assert "per_page=25" in page.url and "page=3" in page.url

    page.click("#column-chooser")
    chooser = page.locator("#column-form")
    expect(chooser).to_be_visible()
    shot(page, "5-column-chooser")
    chooser.locator("label", has_text="来源").locator("input").uncheck()
    chooser.locator("#save-columns").click()
    expect(page.locator("#object-list thead")).not_to_contain_text("来源")
    expect(page.locator("#page-of")).to_contain_text("第 3 /")  # the save kept the page

    # Remembered on the server: a new browser context (another browser) shows the same columns.
    other = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    again = other.new_page()
    again.base_url = page.base_url
    login(again, "leader")
    again.goto(f"{page.base_url}/records/")
    expect(again.locator("#object-list thead")).not_to_contain_text("来源")
    expect(again.locator("#object-list thead")).to_contain_text("记录类型")
    other.close()
