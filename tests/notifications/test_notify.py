"""Templated in-app messages, the outbox, e-mail through Django's backend, back-off, dead items and retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from regwatch.notifications import services
from regwatch.notifications.models import Message, OutboxItem


def test_notify_renders_template_and_sends_email(inspector: Any, leader: Any, django_capture_on_commit_callbacks: Any) -> None:
    inspector.email = "insp@example.cn"
    inspector.save()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(
            [inspector, leader, inspector],
            "warning_new",
            {"title": "投诉集中", "message": "甲公司近90天收到3件投诉举报"},
            url="/warnings/1/",
            channels=["email"],
        )
    assert n == 2
    msg = Message.objects.get(recipient=inspector)
    assert msg.title == "新预警：投诉集中" and msg.body == "甲公司近90天收到3件投诉举报" and msg.read_at is None
    item = OutboxItem.objects.get()  # leader has no e-mail address: no outbox row
    assert item.status == "sent" and item.address == "insp@example.cn" and item.attempts == 1 and item.sent_at
    (sent,) = mail.outbox  # Django's locmem backend: the message the SMTP server would have taken
    assert sent.to == ["insp@example.cn"] and sent.subject == "新预警：投诉集中" and "3件投诉举报" in sent.body
    assert services.unread_count(inspector) == 1


def test_email_refused_is_kept_with_reason_and_retried_after_backoff(inspector: Any, settings: Any) -> None:
    inspector.email = "insp@example.cn"
    inspector.save()
    # A real SMTP backend pointed at a port where nothing listens: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    services.notify([inspector], "warning_new", {"title": "x", "message": "y"}, channels=["email"])
    now = timezone.now()
    assert services.deliver(now=now) == 0
    item = OutboxItem.objects.get()
    assert item.status == "failed" and item.attempts == 1 and item.error and item.sent_at is None
    assert item.next_attempt_at == now + services.backoff(1) == now + dt.timedelta(minutes=1)
    assert services.deliver(now=now + dt.timedelta(seconds=30)) == 0  # still backing off: not tried
    item.refresh_from_db()
    assert item.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver(now=now + dt.timedelta(minutes=2)) == 1
    item.refresh_from_db()
    assert item.status == "sent" and item.attempts == 2 and item.error == "" and len(mail.outbox) == 1


def test_backoff_grows_and_is_capped() -> None:
    waits = [services.backoff(n) for n in range(1, 9)]
    assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert waits == sorted(waits) and max(waits) == dt.timedelta(hours=6)


def test_failing_channel_goes_dead_after_max_attempts_then_admin_retry_sends(
    inspector: Any, admin_client: Any, inspector_client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REGWATCH_OUTBOX_MAX_ATTEMPTS = 3
    calls: list[int] = []

    def broken(item: Any) -> None:
        calls.append(item.pk)
        raise ConnectionError("短信网关不可用")

    services.register_channel("sms", broken)
    try:
        inspector.phone = "13800000000"
        inspector.save()
        services.notify([inspector], "order_overdue", {"number": "GD1", "title": "t", "state": "处置中", "due": "—"}, url="/workorders/")
        now = timezone.now()
        for i in range(5):
            services.deliver(now=now + dt.timedelta(days=i))
        item = OutboxItem.objects.get()
        assert item.status == "dead" and item.attempts == 3 and len(calls) == 3 and "短信网关不可用" in item.error
        assert item.next_attempt_at is None

        page = admin_client.get("/notifications/outbox/?status=dead").content.decode()
        assert "外发消息" in page and "发送失败·已停止重试" in page and "短信网关不可用" in page and "短信" in page
        assert "138****0000" in page and "13800000000" not in page  # phone numbers masked on screen
        assert "立即重试" in page and ">dead<" not in page
        assert inspector_client.get("/notifications/outbox/").status_code == 403  # administrators only
        assert inspector_client.post(f"/notifications/outbox/{item.pk}/retry/").status_code == 403

        services.register_channel("sms", services.channels.gateway("sms"))
        with django_capture_on_commit_callbacks(execute=True):
            r = admin_client.post(f"/notifications/outbox/{item.pk}/retry/", {"next": "/notifications/outbox/"})
        assert r.status_code == 302 and r["Location"] == "/notifications/outbox/"
        item.refresh_from_db()
        assert item.status == "sent" and item.attempts == 4 and item.error == ""
        assert services.channels.MEMORY[-1]["to"] == "13800000000"
    finally:
        services.register_channel("sms", services.channels.gateway("sms"))


def test_an_item_is_sent_once_even_if_two_workers_read_it(inspector: Any) -> None:
    sent: list[int] = []
    services.register_channel("im", lambda item: sent.append(item.pk))
    try:
        services.notify([inspector], "warning_new", {"title": "x", "message": "y"}, channels=["im"])
        stale = OutboxItem.objects.get()  # what a second worker read before the first claimed it
        assert services.deliver() == 1
        assert services._claim(stale, timezone.now()) is False
        assert sent == [stale.pk]
    finally:
        services.register_channel("im", services.channels.gateway("im"))


def test_inbox_badge_and_read(inspector: Any, inspector_client: Any) -> None:
    services.notify([inspector], "warning_new", {"title": "新处罚", "message": "m"}, url="/warnings/")
    assert 'id="unread-count">1<' in inspector_client.get("/notifications/badge/").content.decode()
    page = inspector_client.get("/notifications/").content.decode()
    assert "新预警：新处罚" in page
    msg = Message.objects.get(recipient=inspector)
    assert inspector_client.get(f"/notifications/{msg.pk}/")["Location"] == "/warnings/"
    msg.refresh_from_db()
    assert msg.read_at is not None
