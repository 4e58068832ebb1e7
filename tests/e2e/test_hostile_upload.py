"""A data administrator uploads the probe's hostile files: each batch ends failed and the pages say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.intake.test_hostile_files import XFD

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_hostile_uploads_fail_with_their_reasons_on_the_pages(page: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, "data_admin")
    xlsx = tmp_path / "声明超大范围.xlsx"
    xlsx.write_bytes(XFD)
    page.goto(f"{page.base_url}/intake/upload/")
    page.select_option("#id_source", label="食品安全监管系统（日常检查）")
    page.set_input_files("#id_file", str(xlsx))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/intake-batches/*/")
    expect(page.locator("body")).to_contain_text("XFD1048576")
    expect(page.locator("body")).to_contain_text("超过上限")
    page.screenshot(path=str(ARTIFACTS / "hostile-xlsx-batch.png"), full_page=True)

    deep = tmp_path / "嵌套.json"
    deep.write_bytes(b"[" * 200_000)
    page.goto(f"{page.base_url}/intake/upload/")
    page.select_option("#id_source", label="投诉举报平台")
    page.set_input_files("#id_file", str(deep))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/intake-batches/*/")
    expect(page.locator("body")).to_contain_text("嵌套层数过深")
    page.goto(f"{page.base_url}/intake/upload/")
    expect(page.locator("#recent-batch")).to_contain_text("嵌套层数过深")
    page.locator("#recent-batch").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "hostile-json-upload.png"), full_page=True)
