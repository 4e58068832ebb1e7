"""The audit trail's integrity chain: append-only triggers, tamper detection, retention purge, the 校验 page.

Tampering is done the way a DBA would: raw SQL with the append-only triggers switched off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from regwatch.audit import chain, ledger, triggers
from regwatch.audit.context import system
from regwatch.audit.models import AccessEvent, AuditCheckpoint, AuditEvent
from regwatch.audit.services import record_access, record_change
from regwatch.subjects.models import Subject
from tests.conftest import login

EVENT_TABLES = ("audit_auditevent", "audit_accessevent")


class _Editor:
    """Enough of a schema editor for ``triggers.install`` on the test's own connection."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _tables() -> dict[str, list[str]]:
    return {m._meta.db_table: [f.column for f in m._meta.concrete_fields] for m in (AuditEvent, AccessEvent, AuditCheckpoint)}


@contextlib.contextmanager
def dba() -> Iterator[None]:
    """Switch the append-only triggers off, as someone with database access can, then back on."""
    if connection.vendor == "postgresql":  # a superuser's switch: no ordinary trigger fires
        _sql("SET session_replication_role = replica")
    else:
        for table in _tables():
            triggers.uninstall_table(_Editor(), table)
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            _sql("SET session_replication_role = DEFAULT")
        else:
            triggers.install(_Editor(), _tables())


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _trail(n: int = 4) -> list[AuditEvent]:
    """``n`` audit events and as many access events, all sealed; returns the audit events by chain order."""
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    for i in range(n):
        record_change("update", subject, {"name": f"旧名{i}"}, {"name": f"新名{i}"})
        record_access("export", f"测试导出{i}", rows=i)
    chain.seal()
    return list(AuditEvent.objects.filter(seq__isnull=False).order_by("-seq")[:n])[::-1]


def _messages(report: chain.Verification) -> str:
    return "\n".join(str(f) for f in report.findings)


def test_an_untouched_trail_verifies_and_every_event_is_numbered(world: None) -> None:
    _trail()
    report = chain.verify()
    assert report.ok, _messages(report)
    assert report.summary().endswith("校验通过")
    for model in (AuditEvent, AccessEvent):
        seqs = list(model.objects.order_by("seq").values_list("seq", flat=True))
        assert None not in seqs
        assert seqs == list(range(1, len(seqs) + 1))
    assert AuditCheckpoint.objects.filter(kind=AuditCheckpoint.Kind.SEAL).count() >= 2  # one per chain


@pytest.mark.parametrize("table", EVENT_TABLES)
def test_the_database_refuses_to_update_an_audit_row(world: None, table: str) -> None:
    _trail(1)
    pk = AuditEvent.objects.latest("id").pk if table == "audit_auditevent" else AccessEvent.objects.latest("id").pk
    with pytest.raises(DatabaseError, match="不可修改"), transaction.atomic():
        _sql(f'UPDATE "{table}" SET actor_label = %s WHERE id = %s', ["冒名者", pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(f'UPDATE "{table}" SET seq = seq + 1000 WHERE id = %s', [pk])  # sealed once, never renumbered
    with pytest.raises(DatabaseError, match="不可删除"), transaction.atomic():
        _sql(f'DELETE FROM "{table}" WHERE id = %s', [pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=AuditEvent.objects.latest("id").pk).update(object_repr="改写")
    assert chain.verify().ok


def test_deleting_an_account_keeps_its_events_by_name(world: None) -> None:
    """Django's SET NULL of ``actor`` is the one change the trigger lets through besides sealing."""
    from regwatch.accounts.models import User

    user = User.objects.create_user("temp_user", password="Temp#2026xyz")
    AuditEvent.objects.create(actor=user, actor_label=user.username, action="update", object_type="t.t", object_id="1", object_repr="x")
    user.delete()
    event = AuditEvent.objects.get(actor_label="temp_user")
    assert event.actor is None
    assert chain.verify().ok


def test_an_edited_field_is_detected(world: None) -> None:
    events = _trail()
    target = events[1]
    with dba():
        _sql("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["改过的对象", target.pk])
        _sql("UPDATE audit_accessevent SET ip = %s WHERE id = %s", ["10.0.0.99", AccessEvent.objects.latest("id").pk])
    report = chain.verify()
    assert not report.ok
    text = _messages(report)
    assert f"审计事件 第 {target.seq} 条：记录内容与校验码不符" in text
    assert "访问日志" in text and "记录内容与校验码不符" in text


def test_an_edited_unsealed_event_is_detected(world: None) -> None:
    _trail(1)
    event = record_access("export", "未封存的导出", rows=1)
    with dba():
        _sql("UPDATE audit_accessevent SET target = %s WHERE id = %s", ["别的导出", event.pk])
    report = chain.verify(do_seal=False)
    assert f"未封存记录（编号 {event.pk}）内容与校验码不符" in _messages(report)


def test_a_deleted_row_is_detected(world: None) -> None:
    events = _trail()
    gone = events[1]
    with dba():
        _sql("DELETE FROM audit_auditevent WHERE id = %s", [gone.pk])
    text = _messages(chain.verify())
    assert f"缺少第 {gone.seq} 条（记录被删除）" in text
    assert f"第 {events[2].seq} 条：与前一条的链接不符" in text


def test_a_deleted_tail_is_detected(world: None) -> None:
    events = _trail()
    with dba():
        _sql("DELETE FROM audit_auditevent WHERE seq >= %s", [events[-2].seq])
    assert "末尾记录被删除" in _messages(chain.verify())


def test_an_inserted_row_is_detected_even_with_a_plain_sm3_over_its_content(world: None) -> None:
    """Someone with database access but not the key can hash, not MAC: a forged row is caught."""
    events = _trail()
    forged = AuditEvent(
        at=timezone.now(), actor_label="admin", action="delete", object_type="subjects.subject", object_id="1", object_repr="伪造"
    )
    forged.nonce = "0" * 32
    forged.mac = ledger.digest(chain.content(forged))  # SM3 without the key
    with dba():
        forged.save()
    report = chain.verify()
    assert "记录内容与校验码不符" in _messages(report)
    # and slipped into the sealed chain with a plain-hash link, it breaks the chain as well
    with dba():
        AuditEvent.objects.filter(pk=forged.pk).delete()
        _sql(
            "INSERT INTO audit_auditevent (at, actor_label, ip, request_id, action, object_type, object_id, object_repr,"
            " nonce, mac, seq, chain) SELECT at, actor_label, ip, request_id, action, object_type, object_id, %s, nonce, mac,"
            " seq + 100000, %s FROM audit_auditevent WHERE id = %s",
            ["插入的", ledger.digest(b"forged"), events[0].pk],
        )
    text = _messages(chain.verify())
    assert "与前一条的链接不符" in text and "记录内容与校验码不符" in text


def test_an_edit_with_a_recomputed_plain_hash_is_detected(world: None) -> None:
    events = _trail()
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.object_repr = "篡改后"
    with dba():
        _sql(
            "UPDATE audit_auditevent SET object_repr = %s, mac = %s WHERE id = %s",
            ["篡改后", ledger.digest(chain.content(event)), event.pk],
        )
    assert "记录内容与校验码不符" in _messages(chain.verify())


def test_the_mac_depends_on_the_key(world: None, settings: Any) -> None:
    _trail(1)
    assert chain.verify().ok
    settings.REGWATCH_AUDIT_KEY = "another-key-than-the-one-that-wrote-the-trail"
    report = chain.verify(do_seal=False)
    assert not report.ok
    assert "记录内容与校验码不符" in _messages(report)


def test_reordering_is_detected(world: None) -> None:
    a, b = _trail(2)
    assert a.seq is not None and b.seq is not None
    with dba():  # swap the times of two events
        _sql("UPDATE audit_auditevent SET at = %s WHERE id = %s", [b.at, a.pk])
        _sql("UPDATE audit_auditevent SET at = %s WHERE id = %s", [a.at, b.pk])
    assert "记录内容与校验码不符" in _messages(chain.verify())


def test_swapping_positions_in_the_chain_is_detected(world: None) -> None:
    a, b = _trail(2)
    with dba():
        _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [10**9, a.pk])
        _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
        _sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    assert "与前一条的链接不符" in _messages(chain.verify())


# --- retention -----------------------------------------------------------------------------------


def _aged(days: int, n: int = 2) -> None:
    now = timezone.now()
    for i in range(n):
        AuditEvent.objects.create(
            at=now - dt.timedelta(days=days, minutes=i),
            actor_label="admin",
            action="update",
            object_type="t.t",
            object_id=str(i),
            object_repr=f"{days}天前",
        )
        AccessEvent.objects.create(at=now - dt.timedelta(days=days, minutes=i), actor_label="admin", action="export", target=f"{days}天前")


def test_purge_removes_only_events_past_the_retention_and_the_chain_still_verifies(world: None) -> None:
    with dba():  # start the chains afresh: the world's events are from today
        for table in (*EVENT_TABLES, "audit_auditcheckpoint"):
            _sql(f'DELETE FROM "{table}"')
    _aged(400)
    _aged(200)
    chain.seal()
    _aged(179)
    _aged(10)
    chain.seal()
    assert chain.verify(do_seal=False).ok
    with system("audit-purge"):
        result = chain.purge()
    assert result.removed == {"audit": 4, "access": 4}
    assert not AuditEvent.objects.filter(object_repr__in=["400天前", "200天前"]).exists()
    assert AuditEvent.objects.filter(object_repr="179天前").count() == 2  # within 180 days: kept
    assert AccessEvent.objects.filter(target="10天前").count() == 2
    purge = AuditCheckpoint.objects.get(chain_name="audit", kind=AuditCheckpoint.Kind.PURGE)
    assert purge.seq == 4 and purge.count == 4
    report = chain.verify()
    assert report.ok, _messages(report)
    logged = AccessEvent.objects.get(action=chain.PURGE)
    assert logged.actor_label == "system:audit-purge"
    assert logged.detail["removed"] == {"审计事件": 4, "访问日志": 4}
    assert logged.detail["retention_days"] == 180
    # what the purge left stays guarded: a kept row still cannot be deleted, nor the checkpoint altered
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("DELETE FROM audit_auditevent WHERE object_repr = %s", ["179天前"])
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("UPDATE audit_auditcheckpoint SET seq = 0 WHERE id = %s", [purge.pk])
    # a forged purge checkpoint (to hide a deleted prefix) is caught by its MAC
    with dba():
        _sql("UPDATE audit_auditcheckpoint SET seq = seq + 2 WHERE id = %s", [purge.pk])
    assert "检查点内容与校验码不符" in _messages(chain.verify())


def test_purge_with_a_longer_retention_keeps_more(world: None, settings: Any) -> None:
    with dba():
        for table in (*EVENT_TABLES, "audit_auditcheckpoint"):
            _sql(f'DELETE FROM "{table}"')
    _aged(400)
    _aged(200)
    chain.seal()
    settings.REGWATCH_AUDIT_RETENTION_DAYS = 365
    assert chain.purge().removed == {"audit": 2, "access": 2}
    assert AuditEvent.objects.filter(object_repr="200天前").count() == 2
    assert chain.verify().ok


def test_a_retention_below_180_days_is_refused(world: None, settings: Any) -> None:
    settings.REGWATCH_AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="不得少于 180 天"):
        chain.purge()


def test_the_settings_refuse_a_retention_below_180_days(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "REGWATCH_AUDIT_RETENTION_DAYS": "90",
        "REGWATCH_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "regwatch.settings",
    }
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "REGWATCH_AUDIT_RETENTION_DAYS=90" in done.stderr and "at least 180 days" in done.stderr


# --- the command and the page ---------------------------------------------------------------------


def test_the_command_verifies_and_fails_on_tampering(world: None, capsys: Any) -> None:
    _trail(1)
    call_command("audit", "verify")
    assert "校验通过" in capsys.readouterr().out
    with dba():
        _sql(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s",
            ["改", AuditEvent.objects.filter(seq__isnull=False).latest("seq").pk],
        )
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "记录内容与校验码不符" in capsys.readouterr().err


def test_the_auditor_verifies_on_the_page(world: None) -> None:
    from regwatch.accounts.models import User

    auditor = User.objects.get(username="auditor")
    client = login(auditor)
    assert client.get("/audit-events/").content.decode().count("/ops/audit-verify/") == 1  # the 完整性校验 button
    page = client.get("/ops/audit-verify/").content.decode()
    assert "尚未校验过" in page
    response = client.post("/ops/audit-verify/")
    assert response.status_code == 302
    page = client.get("/ops/audit-verify/").content.decode()
    assert "校验通过" in page and "已完成" in page
    assert AccessEvent.objects.filter(action=chain.VERIFY, actor=auditor, detail__result="校验通过").count() == 1

    victim = AuditEvent.objects.filter(seq__isnull=False).latest("seq")
    with dba():
        _sql("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    client.post("/ops/audit-verify/")
    page = client.get("/ops/audit-verify/").content.decode()
    assert "校验未通过" in page
    assert f"审计事件 第 {victim.seq} 条：最近一次封存至第 {victim.seq} 条" in page


def test_only_who_reads_the_trail_may_verify_it(world: None) -> None:
    from regwatch.accounts.models import User

    client = login(User.objects.get(username="inspector"))
    assert client.get("/ops/audit-verify/").status_code == 403
    assert client.post("/ops/audit-verify/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_writers_never_wait_for_the_chain_and_concurrent_sealing_keeps_it_whole() -> None:
    """Six threads write events in their own transactions while two others seal: no global lock on
    writing, and every event ends up numbered once, in one unbroken chain."""
    import threading

    if "memory" in str(connection.settings_dict["TEST"].get("NAME") or connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database is shared by all threads; concurrency needs a file or PostgreSQL")
    start = threading.Barrier(8)
    errors: list[BaseException] = []
    writing = threading.Event()

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(4):
                with transaction.atomic():
                    record_access("export", f"并发导出{n}-{i}", rows=i)
                    record_change("update", AuditCheckpoint(pk=n), {"i": i}, {"i": i + 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def seal() -> None:
        try:
            start.wait()
            while writing.is_set():
                chain.seal()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    writing.set()
    writers = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    sealers = [threading.Thread(target=seal) for _ in range(2)]
    for t in writers + sealers:
        t.start()
    for t in writers:
        t.join()
    writing.clear()
    for t in sealers:
        t.join()
    assert not errors, errors
    report = chain.verify()
    assert report.ok, _messages(report)
    for model in (AuditEvent, AccessEvent):
        seqs = list(model.objects.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert AccessEvent.objects.filter(target__startswith="并发导出").count() == 24


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))  # PostgreSQL refuses NUL
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT.filter(lambda k: len(k) <= 8), children, max_size=4),
    max_leaves=12,
)


@given(before=JSON, after=JSON, text=TEXT)
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_content_reads_back_with_the_mac_it_was_written_with(db: None, before: Any, after: Any, text: str) -> None:
    """Whatever JSON and text an event holds, the row read back from the database has the same MAC
    (PostgreSQL's jsonb turns 1e16 into an int and -0.0 into 0; SQLite keeps JSON as text)."""
    event = AuditEvent.objects.create(
        actor_label=text[:150], action="update", object_type="t.t", object_id="1", object_repr=text[:255], before=before, after=after
    )
    access = AccessEvent.objects.create(actor_label="x", action="export", target=text[:255], detail={"v": after})
    for stored in (AuditEvent.objects.get(pk=event.pk), AccessEvent.objects.get(pk=access.pk)):
        assert chain.event_mac(stored) == stored.mac


def test_the_verification_job_checks_its_starter_too(world: None) -> None:
    """The background task checks the permission itself: a job started for someone who may not read the trail fails."""
    from regwatch.accounts.models import User
    from regwatch.ops.models import Job
    from regwatch.ops.progress import start_job
    from regwatch.ops.tasks import AUDIT_VERIFY, verify_audit_trail

    job = start_job(AUDIT_VERIFY, "审计日志完整性校验", user=User.objects.get(username="inspector"))
    with contextlib.suppress(Exception):
        verify_audit_trail(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not AccessEvent.objects.filter(action=chain.VERIFY).exists()
