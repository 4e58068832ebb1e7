from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

# Background work acts as ``system:<task>[:<argument>...]`` (``audit.context.system``).
SYSTEM_TASKS = {
    "pack-load": "加载业务包",
    "generate": "生成演示数据",
    "demo-users": "创建演示账号",
    "score": "评分计算",
    "monthly-scoring": "月度评分",
    "bench-score": "性能测试",
    "regrade": "数据更新后重新评分",
    "warnings": "预警扫描",
    "warnings-daily": "每日预警扫描",
    "workorder-deadlines": "工单期限检查",
    "test-world": "测试数据",
    "audit-seal": "审计日志封存",
    "audit-verify": "审计日志校验",
    "audit-purge": "审计日志过期清理",
}


def actor_text(label: str) -> str:
    """Who acted, for a reader: a login name as it is, background work as 系统（加载业务包：食品…）."""
    from regwatch.web.readable import Identifier
    from regwatch.web.readable import label as code_label  # a pack's title, a record type's name

    if not label.startswith("system"):
        return Identifier(label)  # a login name, never read as a code
    task, *args = label.split(":")[1:] or [""]

    named = "、".join(str(code_label(a)) for a in args if a and a != "force")
    what = SYSTEM_TASKS.get(task, "后台任务") + (f"：{named}" if named else "")
    return f"系统（{what}）"


class ChainedEvent(models.Model):
    """An append-only audit row: MAC'd at insert, numbered and chained later by ``audit.chain.seal``.

    ``mac`` is HMAC-SM3 under the audit key over ``MAC_FIELDS`` and ``nonce``; ``seq`` and
    ``chain`` stay empty until the sealing step assigns them (the database triggers allow that
    one update and nothing else).  Insert through ``save()`` (``objects.create``), never
    ``bulk_create``, which would skip the MAC.
    """

    MAC_FIELDS: ClassVar[tuple[str, ...]] = ()

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    nonce = models.CharField("随机数", max_length=32, blank=True, editable=False)
    mac = models.CharField("校验码", max_length=64, blank=True, editable=False)
    seq = models.PositiveBigIntegerField("链序号", null=True, blank=True, unique=True, editable=False)
    chain = models.CharField("链哈希", max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.mac:
            from .chain import stamp

            stamp(self)
        super().save(*args, **kwargs)


class AuditEvent(ChainedEvent):
    """One create/update/delete of a business object, with before and after."""

    MAC_FIELDS = ("at", "actor_label", "ip", "request_id", "action", "object_type", "object_id", "object_repr", "before", "after")

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        BULK = "bulk", "批量操作"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人标识", max_length=150)
    ip = models.CharField("IP", max_length=45, blank=True)
    request_id = models.CharField("请求号", max_length=32, blank=True)
    action = models.CharField("动作", max_length=10, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=255)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def actor_text(self) -> str:
        return actor_text(self.actor_label)

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AccessEvent(ChainedEvent):
    """A read worth knowing about: an export, a view of unmasked sensitive fields."""

    MAC_FIELDS = ("at", "actor_label", "ip", "action", "target", "detail")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人标识", max_length=150)
    ip = models.CharField("IP", max_length=45, blank=True)
    action = models.CharField("动作", max_length=32)
    target = models.CharField("对象", max_length=255)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "访问日志"
        verbose_name_plural = "访问日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class LedgerEntry(models.Model):
    """One entry of the append-only, hash-chained evidence ledger (存证); see ``audit/ledger.py``."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=40)
    object_type = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    payload = models.JSONField("内容")
    algorithm = models.CharField("算法", max_length=10)
    prev_hash = models.CharField("前序哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)

    class Meta:
        verbose_name = "存证记录"
        verbose_name_plural = "存证记录"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """A MAC'd note of a chain's state: its head after a sealing run, or the last entry a purge removed.

    Verification starts each chain after its latest purge checkpoint (so a purged prefix is not a
    gap) and checks that the head of the latest seal checkpoint is still there (so a removed tail
    is seen).  Rows are refused UPDATE by the same database triggers as the events.
    """

    class Kind(models.TextChoices):
        SEAL = "seal", "封存"
        PURGE = "purge", "过期清理"

    class Chain(models.TextChoices):
        AUDIT = "audit", "审计事件"
        ACCESS = "access", "访问日志"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    chain_name = models.CharField("日志链", max_length=10, choices=Chain.choices)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    seq = models.PositiveBigIntegerField("链序号")
    chain = models.CharField("链哈希", max_length=64)
    count = models.PositiveBigIntegerField("条数", default=0)
    mac = models.CharField("校验码", max_length=64)

    class Meta:
        verbose_name = "审计链检查点"
        verbose_name_plural = "审计链检查点"
        ordering = ["-id"]
        indexes = [models.Index(fields=["chain_name", "seq"])]

    def __str__(self) -> str:
        return f"{self.get_chain_name_display()} {self.get_kind_display()} #{self.seq}"
