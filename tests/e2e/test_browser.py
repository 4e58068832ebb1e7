"""What a person sees in Debian's chromium, driven by Playwright."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.subjects.models import Subject

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_inspector_sees_only_the_county_and_searches_live(page: Any) -> None:
    login(page, "inspector")
    page.click("text=监管主体 >> nth=0")
    page.click(".dropdown-menu >> text=监管主体")
    page.wait_for_selector("#object-list")
    expected = Subject.objects.filter(region__path__startswith="/330000/330100/330106/").count()
    assert page.inner_text("#result-count") == f"共 {expected} 条"
    page.click("#user-menu")
    assert "数据范围：浙江省杭州市西湖区" in page.inner_text("#scope-label")
    page.keyboard.press("Escape")

    target = Subject.objects.filter(region__path__startswith="/330000/330100/330106/").order_by("name").first()
    assert target is not None
    page.fill("#filter-form input[name=q]", target.uscc)
    page.click("#filter-form button[type=submit]")  # HTMX swaps the table and pushes the URL
    expect(page.locator("#result-count")).to_have_text("共 1 条")
    assert re.search(r"q=", page.url)
    page.click(f"#object-list >> text={target.name}")
    page.wait_for_selector("#timeline")
    assert target.uscc in page.inner_text("#identifiers")
    assert "年" in page.inner_text("#timeline")
    expect(page.locator("#records-chart svg")).to_be_visible()  # ECharts drew the records-per-year chart
    page.screenshot(path=str(ARTIFACTS / "subject-profile.png"), full_page=True)


def test_data_admin_gets_a_chinese_message_for_an_invalid_uscc(page: Any) -> None:
    login(page, "data_admin")
    page.goto(f"{page.base_url}/subjects/add/")
    page.select_option("#id_kind", index=1)
    page.fill("#id_uscc", "91350100M000100Y44")
    page.fill("#id_name", "浏览器测试食品有限公司")
    page.select_option("#id_region", index=1)
    page.click("#save-button")
    page.wait_for_selector(".invalid-feedback")
    assert "校验码错误：第18位应为“3”" in page.inner_text("#object-form")
    assert not Subject.objects.filter(name="浏览器测试食品有限公司").exists()
    page.screenshot(path=str(ARTIFACTS / "invalid-uscc.png"), full_page=True)


def test_list_sorts_and_pages_without_reloading(page: Any) -> None:
    login(page, "leader")
    page.goto(f"{page.base_url}/subjects/?per_page=25")
    first_page = page.inner_text("#object-list tbody tr:first-child")
    page.click("#next-page")
    page.wait_for_url(re.compile(r"[?&]page=2(&|$)"))
    expect(page.locator("#object-list tbody tr:first-child")).not_to_have_text(first_page)
    assert "第 2 /" in page.inner_text("#object-table")
    # 成立日期 is hidden until the user chooses it in the column chooser.
    page.click("#column-chooser")
    page.locator("#column-form input[value=established_on]").check()
    page.click("#save-columns")
    page.click("#object-list th >> text=成立日期")
    page.wait_for_url(re.compile(r"sort=established_on"))
    expect(page.locator("#object-list th >> text=成立日期 ↑")).to_be_visible()
    shown = page.eval_on_selector_all("#object-list tbody tr td:last-child", "els => els.map(e => e.innerText)")
    dates = [tuple(int(n) for n in re.findall(r"\d+", d)) for d in shown]
    assert len(dates) == 25 and dates == sorted(dates)
