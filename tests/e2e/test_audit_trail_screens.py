"""In a browser: the auditor searches the audit trail, then checks its integrity (校验) and sees the result."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, login
from tests.rawtext import find_raw_html, labelled_codes

pytestmark = pytest.mark.e2e


def test_the_auditor_searches_and_verifies_the_trail(page: Any) -> None:
    login(page, "auditor")
    page.goto(f"{page.base_url}/audit-events/")
    page.select_option("#id_action", "update")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "audit-search.png"), full_page=True)
    assert "修改" in page.inner_text("#object-table")
    page.click("#audit-verify-link")
    page.wait_for_selector("#audit-verify")
    assert "尚未校验过" in page.inner_text("body")
    page.click("#audit-verify")
    page.wait_for_selector("#audit-verify-result")
    text = page.inner_text("#audit-verify-result")
    assert "校验通过" in text
    page.screenshot(path=str(ARTIFACTS / "audit-verify.png"), full_page=True)
    assert not find_raw_html(page.content(), labelled_codes())
