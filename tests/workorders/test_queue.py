"""Queues, lock-and-next, deadline reminders and escalation, clue ledgers, screens, statistics."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.notifications.models import Message, OutboxItem
from regwatch.workorders import clues
from regwatch.workorders.models import Clue, WorkflowDefinition, WorkOrder
from regwatch.workorders.queue import counts, lock_next, queue
from regwatch.workorders.stats import period_from, statistics
from regwatch.workorders.tasks import check_deadlines
from regwatch.workorders.workflow import create_order, transition


def _orders(user: Any, subject: Any, n: int, assignee: Any) -> list[WorkOrder]:
    out = []
    for i in range(n):
        o = create_order(user, workflow="risk_disposal", title=f"工单{i}", region=subject.region, subject=subject)
        transition(o, user, "dispatch", {"assignee_org": assignee.pk})
        out.append(o)
    return out


def test_queue_tabs_and_lock_next(business_admin: Any, inspector: Any, subject: Any) -> None:
    orders = _orders(business_admin, subject, 3, inspector.organization)
    assert queue(inspector, "mine").count() == 3
    c = counts(inspector)
    assert c["mine"] == 3 and c["overdue"] == 0
    WorkOrder.objects.filter(pk=orders[2].pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert list(queue(inspector, "overdue")) == [orders[2]]
    first = lock_next(inspector)
    assert first == orders[2]  # the most urgent first
    other = User.objects.create(username="inspector2", organization=inspector.organization)
    other.groups.add(*inspector.groups.all())
    second = lock_next(other)
    assert second is not None and second != first  # locked orders are skipped
    assert lock_next(inspector) == first  # one's own lock is resumed


@pytest.mark.django_db(transaction=True)
def test_concurrent_lock_next_never_hands_out_one_order_twice() -> None:
    if "memory" in str(connection.settings_dict["TEST"].get("NAME") or connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database is shared by all threads; concurrency needs a file or PostgreSQL")
    from tests.conftest import build_world

    build_world()
    admin = User.objects.get(username="business_admin")
    insp = User.objects.get(username="inspector")
    from regwatch.subjects.models import Subject

    subject = Subject.objects.filter(region__path__startswith=insp.organization.region.path).first()
    _orders(admin, subject, 6, insp.organization)
    handlers = []
    for i in range(6):
        u = User.objects.create(username=f"h{i}", organization=insp.organization)
        u.groups.add(*insp.groups.all())
        handlers.append(u)
    barrier = threading.Barrier(6)
    got: list[Any] = []

    def run(u: Any) -> None:
        try:
            barrier.wait()
            o = lock_next(u)
            got.append(o.pk if o else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in handlers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert None not in got and len(set(got)) == 6


def test_deadline_reminder_and_escalation_notify(
    business_admin: Any, inspector: Any, leader: Any, subject: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (order,) = _orders(business_admin, subject, 1, inspector.organization)
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, inspector, "sign")
    order.refresh_from_db()
    assert order.due_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert check_deadlines(order.due_at - dt.timedelta(hours=2)) == {"reminded": 1, "escalated": 0}
        assert check_deadlines(order.due_at + dt.timedelta(minutes=1)) == {"reminded": 0, "escalated": 1}
        assert check_deadlines(order.due_at + dt.timedelta(hours=2)) == {"reminded": 0, "escalated": 0}  # once
    assert Message.objects.filter(recipient=inspector, kind="order_due_soon").exists()
    assert Message.objects.filter(recipient=leader, kind="order_overdue").exists()  # escalated to the leader (in scope)
    assert OutboxItem.objects.filter(channel="sms", status="sent").exists() or not leader.phone
    order.refresh_from_db()
    assert order.was_overdue


def test_clue_review_ledger_dispatch_and_carry_over(business_admin: Any, inspector: Any, subject: Any) -> None:
    a = Clue.objects.create(region=subject.region, subject=subject, title="群众反映后厨脏乱", source="12345")
    b = Clue.objects.create(region=subject.region, title="无证经营线索", source="巡查")
    c = Clue.objects.create(region=subject.region, title="重复线索", source="巡查")
    clues.review_clue(business_admin, a, True)
    clues.review_clue(business_admin, b, True)
    clues.review_clue(business_admin, c, False, "重复")
    first = clues.build_ledger(business_admin, "线索核查台账", "2026-10")
    assert first.items.count() == 2
    assert clues.dispatch_ledger(business_admin, first) == 2
    orders = {it.clue_id: it.work_order for it in first.items.all()}
    o = orders[a.pk]
    # Routed down to the street-level office (市场监管所) of the clue's township.
    assert (
        o.assignee_org.kind == "office" and subject.region.path.startswith(o.assignee_org.region.path) and o.workflow.code == "clue_check"
    )
    street = User.objects.create(username="street_officer", organization=o.assignee_org)
    street.groups.add(*inspector.groups.all())
    with pytest.raises(Exception, match="只能由承办单位"):
        transition(o, inspector, "sign")  # the county bureau is not the assignee
    transition(o, street, "sign")
    from .conftest import photo

    transition(o, street, "feedback", {"result": "属实", "conclusion": "confirmed_risk"}, [photo()])
    second = clues.build_ledger(business_admin, "线索核查台账", "2026-11")
    carried = list(second.items.all())
    assert [(it.clue_id, it.carried_over) for it in carried] == [(b.pk, True)]  # a was closed, c rejected
    assert clues.dispatch_ledger(business_admin, second) == 0  # carried-over items keep their order


def test_statistics_and_screens(business_admin: Any, inspector: Any, subject: Any, inspector_client: Any, admin_client: Any) -> None:
    (order,) = _orders(business_admin, subject, 1, inspector.organization)
    rows = statistics(inspector, period_from({})[0])["by_org"]
    row = next(r for r in rows if r["org"] == inspector.organization.name)
    assert row["created"] == 1 and row["closed"] == 0
    for url in [
        "/workorders/",
        "/workorders/?tab=team",
        "/workorders/?tab=overdue",
        "/workorders/stats/",
        f"/work-orders/{order.pk}/",
        "/work-orders/",
        "/clues/",
        "/ledgers/",
        "/workorders/new/",
    ]:
        r = inspector_client.get(url)
        assert r.status_code in (200, 403), url
    # The old addresses of the order page and the clue and ledger lists lead to the generic pages.
    assert inspector_client.get(f"/workorders/{order.pk}/")["Location"] == f"/work-orders/{order.pk}/"
    assert inspector_client.get("/workorders/clues/")["Location"] == "/clues/"
    assert inspector_client.get("/workorders/ledgers/")["Location"] == "/ledgers/"
    assert order.number in inspector_client.get("/workorders/").content.decode()
    wf = WorkflowDefinition.objects.get(code="risk_disposal", is_current=True)
    body = admin_client.get(f"/workflows/{wf.pk}/").content.decode()
    assert 'id="workflow-data"' in body and "workflow_graph.js" in body and "<script>" not in body
    subject_page = inspector_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "在办预警与工单" in subject_page and order.number in subject_page
    badge = inspector_client.get("/notifications/badge/").content.decode()
    assert 'id="todo-count">1<' in badge
    assert 'hx-get="/notifications/badge/"' in inspector_client.get("/").content.decode()


def test_take_next_button_and_new_order_form(business_admin: Any, inspector: Any, subject: Any, inspector_client: Any) -> None:
    _orders(business_admin, subject, 1, inspector.organization)
    r = inspector_client.post("/workorders/next/")
    assert r.status_code == 302 and "/work-orders/" in r["Location"]
    client = __import__("tests.conftest", fromlist=["login"]).login(business_admin)
    r = client.post(
        "/workorders/new/",
        {
            "workflow": "risk_disposal",
            "title": "12345热线转办事件",
            "region": subject.region.parent.parent.pk if subject.region.parent and subject.region.parent.parent else subject.region.pk,
            "external_ref": "12345-001",
        },
    )
    assert r.status_code in (200, 302)
