"""Sensitive values leave the server masked: pages, lists, Excel and the API; clear only by 查看明文."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from regwatch.accounts.preferences import hide_columns
from regwatch.audit.models import AccessEvent
from regwatch.catalog.models import DatasetField
from regwatch.core.masking import mask, mask_address, mask_id_card, mask_name, mask_partial, mask_phone
from regwatch.subjects.models import Record, Subject
from tests.conftest import login


def _subject(user: Any) -> Subject:
    subject = (
        Subject.objects.filter(region__path__startswith=user.organization.region.path, pack="food_credit")
        .exclude(legal_representative="")
        .order_by("pk")
        .first()
    )
    assert subject is not None and len(subject.legal_representative) >= 2
    return subject


def test_mask_kinds() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_card("33010619900101123X") == "330106********123X"
    assert mask_address("浙江省杭州市西湖区文三路90号") == "浙江省杭州市西湖区******"
    assert mask_partial("登记注册处 0571-00000001") != "登记注册处 0571-00000001"
    assert mask("unknown", "秘密内容很长的一段") != "秘密内容很长的一段"  # an unknown kind never shows clear


def test_masked_in_html_api_and_excel_without_the_permission(inspector: Any) -> None:
    subject = _subject(inspector)
    clear, masked = subject.legal_representative, mask_name(subject.legal_representative)
    assert not inspector.has_perm("approvals.view_unmasked")
    client = login(inspector)

    page = client.get(f"/subjects/{subject.pk}/").content.decode()
    assert masked in page and clear not in page
    assert "查看明文" not in page  # no control without the permission

    hide_columns(inspector, "subjects", [])  # shows every column, 法定代表人 included
    listing = client.get("/subjects/", {"q": subject.uscc}).content.decode()
    assert masked in listing and clear not in listing

    response = client.get("/subjects/", {"q": subject.uscc, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    column = list(rows[0]).index("法定代表人/负责人")
    assert rows[1][column] == masked

    api = APIClient()
    api.force_authenticate(inspector)
    assert api.get(f"/api/v1/subjects/{subject.pk}/").json()["legal_representative"] == masked
    listed = api.get("/api/v1/subjects/", {"q": subject.uscc}).json()["results"]
    assert [s["legal_representative"] for s in listed] == [masked]

    # Record contents: the inspector's name on an inspection record.
    record = Record.objects.filter(subject__region__path__startswith=inspector.organization.region.path, data__has_key="inspector").first()
    assert record is not None
    name = record.data["inspector"]
    detail = client.get(f"/records/{record.pk}/").content.decode()
    assert mask_name(name) in detail and name not in detail
    assert api.get(f"/api/v1/records/{record.pk}/").json()["data"]["inspector"] == mask_name(name)


def test_reveal_with_a_reason_shows_the_value_and_writes_one_access_event(leader: Any) -> None:
    subject = _subject(leader)
    client = login(leader)
    page = client.get(f"/subjects/{subject.pk}/").content.decode()
    assert mask_name(subject.legal_representative) in page and subject.legal_representative not in page
    assert "查看明文" in page and f"/reveal/subjects/{subject.pk}/" in page

    before = AccessEvent.objects.filter(action="reveal").count()
    response = client.post(f"/reveal/subjects/{subject.pk}/", {"field": "legal_representative", "reason": "核实法定代表人身份"})
    assert response.status_code == 200 and subject.legal_representative in response.content.decode()
    events = AccessEvent.objects.filter(action="reveal")
    assert events.count() == before + 1
    event = events.first()
    assert event is not None and event.actor == leader
    assert event.detail["reason"] == "核实法定代表人身份"
    assert event.detail["field"] == "法定代表人/负责人" and event.detail["object_id"] == subject.pk
    assert subject.name in event.target


def test_reveal_needs_a_reason_and_the_permission(leader: Any, inspector: Any) -> None:
    subject = _subject(inspector)
    before = AccessEvent.objects.filter(action="reveal").count()
    response = login(leader).post(f"/reveal/subjects/{subject.pk}/", {"field": "legal_representative", "reason": "  "})
    assert response.status_code == 400
    assert subject.legal_representative not in response.content.decode() and "请填写查看原因" in response.content.decode()
    response = login(inspector).post(f"/reveal/subjects/{subject.pk}/", {"field": "legal_representative", "reason": "核实"})
    assert response.status_code == 403 and subject.legal_representative not in response.content.decode()
    # A field the catalog does not mask is nothing to reveal.
    assert login(leader).post(f"/reveal/subjects/{subject.pk}/", {"field": "name", "reason": "核实"}).status_code == 404
    assert AccessEvent.objects.filter(action="reveal").count() == before


def test_reveal_of_a_record_field(leader: Any) -> None:
    region = leader.organization.region.path
    record = Record.objects.filter(subject__region__path__startswith=region, subject__pack="food_credit", data__has_key="inspector").first()
    assert record is not None
    client = login(leader)
    response = client.post(f"/reveal/records/{record.pk}/", {"field": "data.inspector", "reason": "联系检查人员核实"})
    assert response.status_code == 200 and record.data["inspector"] in response.content.decode()


def test_a_field_switched_to_public_is_no_longer_masked(inspector: Any) -> None:
    subject = _subject(inspector)
    field = DatasetField.objects.get(dataset__code="subject", name="legal_representative")
    client = login(inspector)
    try:
        field.sensitivity = "public"
        field.save()
        page = client.get(f"/subjects/{subject.pk}/").content.decode()
        assert subject.legal_representative in page
        api = APIClient()
        api.force_authenticate(inspector)
        assert api.get(f"/api/v1/subjects/{subject.pk}/").json()["legal_representative"] == subject.legal_representative
    finally:
        field.sensitivity = "sensitive"
        field.save()  # the per-process map follows the catalog both ways
    assert subject.legal_representative not in client.get(f"/subjects/{subject.pk}/").content.decode()


def test_a_catalog_resync_keeps_the_administrators_choice(world: None) -> None:
    from regwatch.catalog.services import sync_catalog

    field = DatasetField.objects.get(dataset__code="subject", name="legal_representative")
    try:
        DatasetField.objects.filter(pk=field.pk).update(sensitivity="public")
        sync_catalog()
        assert DatasetField.objects.get(pk=field.pk).sensitivity == "public"
    finally:
        field.save()


@pytest.mark.parametrize("username", ["leader", "inspector"])
def test_history_and_audit_pages_mask_too(username: str, django_user_model: Any) -> None:
    from regwatch.web.history import readable_changes

    subject = Subject.objects.exclude(legal_representative="").first()
    assert subject is not None
    rows = readable_changes(Subject, [("legal_representative", "张三丰", subject.legal_representative)])
    assert [(str(r.old), str(r.new)) for r in rows] == [("张**", mask_name(subject.legal_representative))]
