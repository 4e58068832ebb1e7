"""Templated in-app messages, the outbox and pluggable channels (a test sink; nothing leaves)."""

from __future__ import annotations

from typing import Any

from regwatch.notifications import services
from regwatch.notifications.models import Message, OutboxItem


def test_notify_renders_template_and_delivers_through_channels(
    inspector: Any, leader: Any, django_capture_on_commit_callbacks: Any
) -> None:
    inspector.email = "insp@example.cn"
    inspector.save()
    services.SINK.clear()
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
    assert item.status == "sent" and item.address == "insp@example.cn" and [item] == services.SINK
    assert services.unread_count(inspector) == 1


def test_failing_channel_is_retried_not_lost(inspector: Any) -> None:
    calls: list[int] = []

    def broken(item: Any) -> None:
        calls.append(item.pk)
        raise ConnectionError("短信网关不可用")

    services.register_channel("sms", broken)
    try:
        inspector.phone = "13800000000"
        inspector.save()
        services.notify([inspector], "warning_new", {"title": "x", "message": "y"}, channels=["sms"])
        services.deliver()
        item = OutboxItem.objects.get()
        assert item.status == "pending" and item.attempts == 1 and "短信网关不可用" in item.error
        for _ in range(4):
            services.deliver()
        item.refresh_from_db()
        assert item.status == "failed" and item.attempts == 5 and len(calls) == 5
    finally:
        services.register_channel("sms", services._sink)


def test_inbox_badge_and_read(inspector: Any, inspector_client: Any) -> None:
    services.notify([inspector], "warning_new", {"title": "新处罚", "message": "m"}, url="/warnings/")
    assert 'id="unread-count">1<' in inspector_client.get("/notifications/badge/").content.decode()
    page = inspector_client.get("/notifications/").content.decode()
    assert "新预警：新处罚" in page
    msg = Message.objects.get(recipient=inspector)
    assert inspector_client.get(f"/notifications/{msg.pk}/")["Location"] == "/warnings/"
    msg.refresh_from_db()
    assert msg.read_at is not None
