"""The auditor's search over audit and access events, and the Excel export of what was found."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from regwatch.audit.context import Actor, acting_as
from regwatch.audit.models import AccessEvent, AuditEvent
from regwatch.audit.services import record_access, record_change
from regwatch.subjects.models import Subject
from tests.conftest import login


@pytest.fixture
def auditor(world: None) -> Any:
    from regwatch.accounts.models import User

    return User.objects.get(username="auditor")


@pytest.fixture
def trail(world: None, admin: Any, inspector: Any) -> dict[str, Any]:
    """A few events by two people from two addresses, one of them three days old."""
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    with acting_as(Actor(get_user=lambda: admin, ip="10.8.1.5")):
        edit = record_change("update", subject, {"address": "旧址甲"}, {"address": "稽核地址甲"})
        record_access("export", "监管主体", rows=12)
    with acting_as(Actor(get_user=lambda: inspector, ip="192.168.3.7")):
        record_change("update", subject, {"address": "旧址乙"}, {"address": "稽核地址乙"})
        record_access("export", "稽核导出乙", rows=3)
    old = AuditEvent.objects.create(
        at=timezone.now() - dt.timedelta(days=3),
        actor_label="admin",
        ip="10.8.1.5",
        action="delete",
        object_type="subjects.subject",
        object_id="999",
        object_repr="三天前删除的稽核主体",
    )
    return {"subject": subject, "edit": edit, "old": old}


def _rows(body: str, marker: str) -> int:
    return body.count(marker)


def test_the_auditor_filters_audit_events_by_actor_action_type_ip_time_and_keyword(auditor: Any, trail: dict[str, Any]) -> None:
    client = login(auditor)
    page = client.get("/audit-events/", {"q": "稽核"})
    assert page.status_code == 200
    body = page.content.decode()
    # the object type and the action as an official reads them, in the list and in the dropdowns
    shown = re.sub(r'value="[^"]*"', "", body)  # what a reader sees, not the form's values
    assert "监管主体" in shown and "subjects.subject" not in shown
    assert "修改" in body and "删除" in body

    def found(**params: str) -> set[str]:
        response = client.get("/audit-events/", {"q": "稽核", "per_page": "100", **params})
        assert response.status_code == 200
        text = response.content.decode()
        return {name for name in ("admin", "inspector", "三天前删除的稽核主体") if name in text.split("<tbody", 1)[-1]}

    today = timezone.localdate().isoformat()
    assert "三天前删除的稽核主体" not in found(at_after=today, at_before=today)
    assert "三天前删除的稽核主体" in found(action="delete")
    assert found(actor="insp") == {"inspector"}
    assert found(ip="192.168.") == {"inspector"}
    assert "inspector" not in found(ip="10.8.")
    assert found(object_type="accounts.user") == set()
    assert "admin" in found(object_type="subjects.subject")


def test_the_access_log_filters_by_action_label_and_ip(auditor: Any, trail: dict[str, Any]) -> None:
    client = login(auditor)
    body = client.get("/access-events/", {"action": "export", "ip": "192.168.3"}).content.decode()
    assert "数据导出" in body  # the action by its label, in the dropdown and the rows
    assert "稽核导出乙" in body and ">监管主体<" not in body


def test_the_auditor_exports_the_search_to_excel_and_the_export_is_logged_once(auditor: Any, trail: dict[str, Any]) -> None:
    client = login(auditor)
    before = AccessEvent.objects.count()
    response = client.get("/audit-events/", {"q": "稽核", "actor": "admin", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "动作", "对象类型")
    assert {r[2] for r in rows[1:]} == {"修改", "删除"}
    assert {r[3] for r in rows[1:]} == {"监管主体"}
    assert {r[1] for r in rows[1:]} == {"admin"}
    assert len(rows) == 3  # header, the edit, the old deletion
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.actor, event.target) == ("export", auditor, "审计事件")
    assert event.detail["rows"] == 2 and event.detail["filters"] == {"q": "稽核", "actor": "admin"}


def test_a_bad_date_is_a_chinese_form_error_not_a_crash(auditor: Any, trail: dict[str, Any]) -> None:
    response = login(auditor).get("/audit-events/", {"at_after": "昨天"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode() or "有效的日期" in response.content.decode()


def test_who_may_not_read_the_trail_cannot_search_or_export_it(inspector: Any, trail: dict[str, Any]) -> None:
    client = login(inspector)
    assert client.get("/audit-events/").status_code == 403
    assert client.get("/access-events/", {"export": "xlsx"}).status_code == 403
