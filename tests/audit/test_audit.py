from __future__ import annotations

from typing import Any

from regwatch.audit.models import AccessEvent, AuditEvent
from regwatch.subjects.models import Subject
from regwatch.web.registry import REGISTRY


def _subject_form(subject: Subject, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": subject.kind_id,
        "uscc": subject.uscc,
        "name": subject.name,
        "region": subject.region_id,
        "industry_code": subject.industry_code,
        "address": subject.address,
        "legal_representative": subject.legal_representative,
        "status": subject.status,
        "established_on": subject.established_on.isoformat() if subject.established_on else "",
    }
    return {**data, **changes}


def test_ui_edit_writes_one_audit_event_with_before_after_and_actor(data_admin: Any, data_admin_client: Any) -> None:
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    response = data_admin_client.post(REGISTRY["subjects"].url("edit", subject), _subject_form(subject, address="新地址路1号"))
    assert response.status_code == 302
    events = AuditEvent.objects.filter(object_type="subjects.subject", object_id=str(subject.pk), action="update")
    assert events.count() == 1
    event = events.get()
    assert event.actor == data_admin
    assert event.before["address"] == subject.address
    assert event.after["address"] == "新地址路1号"
    assert ("address", subject.address, "新地址路1号") in event.changes


def test_saving_without_change_writes_nothing(data_admin_client: Any) -> None:
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    before = AuditEvent.objects.count()
    data_admin_client.post(REGISTRY["subjects"].url("edit", subject), _subject_form(subject))
    assert AuditEvent.objects.count() == before


def test_create_and_delete_are_audited(data_admin: Any, data_admin_client: Any) -> None:
    response = data_admin_client.post(
        REGISTRY["tags"].url("add"), {"code": "test_tag", "name": "测试标签", "category": "测试", "color": "red"}
    )
    assert response.status_code == 302
    created = AuditEvent.objects.get(object_type="subjects.tag", action="create", after__code="test_tag")
    assert created.after["name"] == "测试标签" and created.actor == data_admin
    tag_id = created.object_id
    response = data_admin_client.post(f"/tags/{tag_id}/delete/")
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(object_type="subjects.tag", action="delete", object_id=tag_id)
    assert deleted.before["code"] == "test_tag" and deleted.after is None


def test_history_is_shown_on_the_detail_page(data_admin_client: Any) -> None:
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    data_admin_client.post(REGISTRY["subjects"].url("edit", subject), _subject_form(subject, legal_representative="测试人"))
    page = data_admin_client.get(REGISTRY["subjects"].url("detail", subject)).content.decode()
    # The change is listed; the person's name stays masked there as everywhere (the data administrator may not see it in clear).
    assert "变更记录" in page and "测**" in page and "测试人" not in page


def test_export_is_logged_as_access_event(data_admin: Any, data_admin_client: Any) -> None:
    data_admin_client.get(REGISTRY["subjects"].url(), {"export": "xlsx", "q": "杭州"})
    event = AccessEvent.objects.get(action="export")
    assert event.actor == data_admin
    assert event.detail["filters"] == {"q": "杭州"}
    assert event.detail["rows"] == Subject.objects.filter(name__contains="杭州").count()


def test_passwords_never_enter_the_audit_trail(data_admin: Any) -> None:
    data_admin.set_password("Another#Secret-2026")
    data_admin.save()
    event = AuditEvent.objects.filter(object_type="accounts.user").latest("id")
    assert "password" not in (event.after or {}) and "password" not in (event.before or {})


def test_bulk_generation_leaves_one_summary_event(world: None) -> None:
    event = AuditEvent.objects.get(action="bulk", object_type="subjects.subject", actor_label="system:generate:food_credit")
    assert event.after["subjects"] == Subject.objects.filter(pack="food_credit").count()
    assert AuditEvent.objects.filter(action="bulk", object_type="subjects.subject").count() == 2  # one per pack generated
