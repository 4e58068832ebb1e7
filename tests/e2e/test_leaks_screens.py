"""Issue 10 findings 5 and 7 as a user meets them: an attachment downloaded from the order's page
under its Chinese name, and the neutral answer to a USCC held by a subject in another county."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e


def test_an_attachment_downloads_from_the_order_page(page: Any, settings: Any, tmp_path: Any) -> None:
    from regwatch.accounts.models import User
    from regwatch.subjects.models import Subject
    from regwatch.workorders.models import Attachment, WorkflowDefinition, WorkOrder

    settings.MEDIA_ROOT = str(tmp_path)
    inspector = User.objects.get(username="inspector")
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).order_by("pk").first()
    wf = WorkflowDefinition.objects.filter(is_current=True).order_by("pk").first()
    order = WorkOrder.objects.create(
        number="E2E-DL", title="附件下载", workflow=wf, state=wf.definition["initial"], region=subject.region, subject=subject
    )
    Attachment.objects.create(
        order=order, file=ContentFile(b"%PDF-1.4", name="x.bin"), name="现场检查记录.pdf", size=8, digest="d", algorithm="sm3"
    )
    login(page, "inspector")
    page.goto(f"{page.base_url}/work-orders/{order.pk}/")
    link = page.get_by_role("link", name="上传附件：现场检查记录.pdf")
    expect(link).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "leaks-attachment-link.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "现场检查记录.pdf"


def test_a_uscc_held_elsewhere_reads_neutrally_on_the_subject_form(page: Any) -> None:
    from regwatch.accounts.models import User
    from regwatch.subjects.models import Subject

    inspector = User.objects.get(username="inspector")
    inspector.user_permissions.add(Permission.objects.get(codename="add_subject", content_type__app_label="subjects"))
    prefix = inspector.organization.region.path
    elsewhere = Subject.objects.exclude(region__path__startswith=prefix).exclude(uscc=None).order_by("pk").first()
    login(page, "inspector")
    page.goto(f"{page.base_url}/subjects/add/")
    page.fill("#id_uscc", elsewhere.uscc)
    page.fill("#id_name", "探测主体")
    page.locator("#id_kind").select_option(index=1)
    page.locator("#id_region").select_option(index=1)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_text("该统一社会信用代码无法使用，请联系上级管理员核实")).to_be_visible()
    assert "已存在" not in page.content() and elsewhere.name not in page.content()
    page.screenshot(path=str(ARTIFACTS / "leaks-uscc-neutral.png"), full_page=True)
