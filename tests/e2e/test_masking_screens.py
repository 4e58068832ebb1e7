"""查看明文 in chromium: the leader asks for a value with a reason and sees it in place; one access event."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.audit.models import AccessEvent
from regwatch.core.masking import mask_name
from regwatch.subjects.models import Subject

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_the_leader_reveals_a_legal_representative_with_a_reason(page: Any) -> None:
    subject = Subject.objects.filter(region__path__startswith="/330000/330100/").exclude(legal_representative="").order_by("pk").first()
    assert subject is not None
    login(page, "leader")
    page.goto(f"{page.base_url}/subjects/{subject.pk}/")
    value = page.locator(".masked-value").first
    expect(value).to_contain_text(mask_name(subject.legal_representative))
    expect(page.locator("body")).not_to_contain_text(subject.legal_representative)
    value.locator("summary").click()
    value.locator("input[name=reason]").fill("核实法定代表人身份")
    value.locator("button[type=submit]").click()
    expect(page.locator(".revealed-value")).to_have_text(subject.legal_representative)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "masking-revealed.png"), full_page=True)
    events = AccessEvent.objects.filter(action="reveal")
    assert events.count() == 1 and events.get().detail["reason"] == "核实法定代表人身份"


def test_the_inspector_sees_no_control(page: Any) -> None:
    subject = Subject.objects.filter(region__path__startswith="/330000/330100/330106/").exclude(legal_representative="").first()
    assert subject is not None
    login(page, "inspector")
    page.goto(f"{page.base_url}/subjects/{subject.pk}/")
    expect(page.locator(".masked-value").first).to_have_text(mask_name(subject.legal_representative))
    expect(page.locator("summary:has-text('查看明文')")).to_have_count(0)
