"""In-app messages (站内信), the outbox for external channels (email/SMS/IM), and rule follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from regwatch.core.fields import EncryptedTextField


class Message(models.Model):
    scope_owner_field = "recipient"  # an inbox is personal: nobody else sees it, administrators included

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=255, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class OutboxItem(models.Model):
    """One message for one external channel; sent only when the channel accepted it.

    A failed attempt keeps its reason and waits until ``next_attempt_at`` (back-off); after
    the last allowed attempt the item is dead and only an administrator's retry sends it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败·待重试"
        DEAD = "dead", "发送失败·已停止重试"

    channel = models.CharField("渠道", max_length=20)
    kind = models.CharField("消息类型", max_length=40, blank=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, on_delete=models.SET_NULL, related_name="+")
    address = EncryptedTextField("地址", max_length=200)  # a phone, a mailbox: SM4 at rest (docs/security.md)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=255, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} {self.title}"


class RuleFollow(models.Model):
    """A user follows a warning rule: each new warning of it is sent to them (if they may see its subject)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关注人", on_delete=models.CASCADE, related_name="rule_follows")
    rule = models.ForeignKey("warnings.WarningRule", verbose_name="预警规则", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField("关注时间", default=timezone.now)

    class Meta:
        verbose_name = "关注的预警规则"
        verbose_name_plural = "关注的预警规则"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "rule"], name="rulefollow_once")]

    def __str__(self) -> str:
        return f"{self.user} 关注 {self.rule}"
