from __future__ import annotations

from django.conf import settings
from django.db import models

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


class AuditEvent(models.Model):
    """One create/update/delete of a business object, with before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        BULK = "bulk", "批量操作"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
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


class AccessEvent(models.Model):
    """A read worth knowing about: an export, a view of unmasked sensitive fields."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
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
