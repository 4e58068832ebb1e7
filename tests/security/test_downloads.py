"""Issue 10, probe finding 7: attachments can be downloaded, by those who may see them, safely.

Before: no download view at all, and the work-order page linked to ``file.url`` under an unset
MEDIA_URL (a dead link)."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from regwatch.accounts.models import User
from regwatch.audit.models import AccessEvent
from regwatch.subjects.models import Subject
from regwatch.workorders.models import Attachment, WorkflowDefinition, WorkOrder
from tests.conftest import login


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def _order(subject: Subject, number: str) -> WorkOrder:
    wf = WorkflowDefinition.objects.filter(is_current=True).order_by("pk").first()
    assert wf is not None
    return WorkOrder.objects.create(
        number=number, title="附件下载测试", workflow=wf, state=wf.definition["initial"], region=subject.region, subject=subject
    )


def _attach(order: WorkOrder, name: str, content: bytes) -> Attachment:
    stored = ContentFile(content, name="upload.bin")
    return Attachment.objects.create(order=order, file=stored, name=name, size=len(content), digest="d", algorithm="sm3")


@pytest.fixture
def orders(inspector: Any) -> tuple[WorkOrder, WorkOrder]:
    prefix = inspector.organization.region.path
    inside = Subject.objects.filter(region__path__startswith=prefix).order_by("pk").first()
    outside = Subject.objects.exclude(region__path__startswith=prefix).order_by("pk").first()
    assert inside is not None and outside is not None
    return _order(inside, "DL-IN"), _order(outside, "DL-OUT")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_download_serves_the_file_as_an_attachment_with_its_chinese_name(inspector: Any, orders: Any) -> None:
    att = _attach(orders[0], "现场检查记录.pdf", b"%PDF-1.4 evidence")
    response = login(inspector).get(f"/workorders/attachments/{att.pk}/")
    assert response.status_code == 200
    assert _body(response) == b"%PDF-1.4 evidence"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + urllib.parse.quote("现场检查记录.pdf") in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["说明.html", "图.svg", "脚本.js", "无扩展名", "页面.HTM"])
def test_html_and_unknown_files_are_never_served_as_pages(inspector: Any, orders: Any, name: str) -> None:
    att = _attach(orders[0], name, b"<html><script>alert(1)</script></html>")
    response = login(inspector).get(f"/workorders/attachments/{att.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_attachment_outside_the_scope_is_404_like_a_missing_one(inspector: Any, orders: Any) -> None:
    att = _attach(orders[1], "外区附件.pdf", b"elsewhere")
    client = login(inspector)
    assert client.get(f"/workorders/attachments/{att.pk}/").status_code == 404
    assert client.get(f"/workorders/attachments/{att.pk + 10_000}/").status_code == 404
    assert not AccessEvent.objects.filter(action="attachment_download").exists()


def test_download_needs_the_permission_and_a_login(inspector: Any, orders: Any) -> None:
    att = _attach(orders[0], "记录.pdf", b"x")
    no_role = User.objects.create(username="no_role", display_name="无角色用户", organization=inspector.organization)
    assert login(no_role).get(f"/workorders/attachments/{att.pk}/").status_code == 403
    anonymous = Client().get(f"/workorders/attachments/{att.pk}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_each_download_is_an_access_event(inspector: Any, orders: Any) -> None:
    att = _attach(orders[0], "现场照片.jpg", b"\xff\xd8photo")
    login(inspector).get(f"/workorders/attachments/{att.pk}/")
    event = AccessEvent.objects.get(action="attachment_download")
    assert event.actor == inspector
    assert event.detail["order"] == "DL-IN" and event.detail["attachment"] == "现场照片.jpg"


def test_a_file_missing_from_storage_is_404(inspector: Any, orders: Any) -> None:
    att = _attach(orders[0], "丢失.pdf", b"x")
    att.file.storage.delete(att.file.name)
    assert login(inspector).get(f"/workorders/attachments/{att.pk}/").status_code == 404


def test_the_order_page_and_case_file_link_to_the_download(inspector: Any, orders: Any) -> None:
    att = _attach(orders[0], "现场检查记录.pdf", b"%PDF")
    url = f"/workorders/attachments/{att.pk}/"
    client = login(inspector)
    assert f'href="{url}"' in client.get(f"/work-orders/{orders[0].pk}/").content.decode()
    assert f'href="{url}"' in client.get(f"/workorders/{orders[0].pk}/print/").content.decode()
    pdf = client.get(f"/workorders/{orders[0].pk}/pdf/").content
    assert f"http://testserver{url}".encode() in pdf
