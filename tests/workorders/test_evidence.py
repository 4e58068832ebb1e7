"""Evidence ledger: any altered, removed or reordered entry and any altered attachment is detected."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from regwatch.audit.ledger import ALGORITHM, verify
from regwatch.audit.models import LedgerEntry
from regwatch.workorders.models import Attachment, WorkOrderStep
from regwatch.workorders.workflow import create_order, transition

from .conftest import photo


@pytest.fixture
def handled(business_admin: Any, inspector: Any, warning: Any) -> Any:
    order = create_order(
        business_admin,
        workflow="risk_disposal",
        title="t",
        region=warning.subject.region,
        subject=warning.subject,
        warning=warning,
        source="warning",
    )
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    transition(order, inspector, "feedback", {"result": "ok", "conclusion": "false_alarm"}, [photo()])
    transition(order, business_admin, "verify_close", {"verify_opinion": "误报"})
    return order


def _exit_code() -> int:
    try:
        call_command("ledger", "verify")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_intact_ledger_verifies(handled: Any) -> None:
    report = verify()
    assert report.ok and report.checked == LedgerEntry.objects.count() >= 6 and report.files == 1
    assert ALGORITHM == "sm3" and len(Attachment.objects.get().digest) == 64
    assert _exit_code() == 0
    from rest_framework.test import APIClient

    from regwatch.accounts.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="auditor"))  # checking the chain is the auditor's (三员分立)
    assert client.get("/api/v1/workorders/ledger/verify/").json()["ok"] is True


def _middle() -> LedgerEntry:
    entries = list(LedgerEntry.objects.order_by("seq"))
    return entries[len(entries) // 2]


def test_altered_entry_is_detected(handled: Any) -> None:
    e = _middle()
    LedgerEntry.objects.filter(pk=e.pk).update(payload={**e.payload, "comment": "篡改"})
    report = verify()
    assert not report.ok and any(p.seq == e.seq and "篡改" in p.message for p in report.problems)
    assert _exit_code() == 1


def test_removed_entry_is_detected(handled: Any) -> None:
    e = _middle()
    LedgerEntry.objects.filter(pk=e.pk).delete()
    assert any("序号不连续" in p.message for p in verify().problems)


def test_removed_tail_entry_is_detected_through_the_steps(handled: Any) -> None:
    LedgerEntry.objects.order_by("-seq").first().delete()  # type: ignore[union-attr]
    assert any("存证记录缺失" in p.message for p in verify().problems)


def test_reordered_entries_are_detected(handled: Any) -> None:
    a, b = list(LedgerEntry.objects.order_by("seq"))[1:3]
    LedgerEntry.objects.filter(pk=a.pk).update(seq=10_000)
    LedgerEntry.objects.filter(pk=b.pk).update(seq=a.seq)
    LedgerEntry.objects.filter(pk=a.pk).update(seq=b.seq)
    assert not verify().ok


def test_rehashed_entry_still_breaks_the_chain(handled: Any) -> None:
    """A forger who recomputes the altered entry's own hash breaks the next entry's link."""
    from regwatch.audit.ledger import LocalHashChain

    e = _middle()
    payload = {**e.payload, "comment": "伪造"}
    h = LocalHashChain.entry_hash(e.seq, e.at.isoformat(), e.kind, e.object_type, e.object_id, payload, e.prev_hash, e.algorithm)
    LedgerEntry.objects.filter(pk=e.pk).update(payload=payload, entry_hash=h)
    assert any("前序哈希" in p.message for p in verify().problems)


def test_altered_step_row_is_detected(handled: Any) -> None:
    step = WorkOrderStep.objects.filter(order=handled, action="feedback").get()
    WorkOrderStep.objects.filter(pk=step.pk).update(fields={"result": "改写", "conclusion": "false_alarm"})
    assert any("环节被篡改" in p.message for p in verify().problems)


def test_altered_attachment_is_detected(handled: Any) -> None:
    att = Attachment.objects.get(order=handled)
    with default_storage.open(att.file.name, "wb") as fh:
        fh.write(b"forged photo")
    assert any("文件被篡改" in p.message for p in verify().problems)
    default_storage.delete(att.file.name)
    assert any("文件缺失" in p.message for p in verify().problems)
