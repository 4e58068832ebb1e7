"""Warning rules (预警规则) and the alert pool (预警池).

One open warning per subject and rule key is a database guarantee: a partial unique
index on the open statuses, so concurrent intake batches firing the same rule end up
with one row (the loser's insert fails and it touches the existing row instead).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from regwatch.audit.registry import audited
from regwatch.packs.tracking import PackOwned


class Level(models.TextChoices):
    RED = "red", "红色"
    ORANGE = "orange", "橙色"
    YELLOW = "yellow", "黄色"
    BLUE = "blue", "蓝色"


LEVEL_RANK = {"red": 4, "orange": 3, "yellow": 2, "blue": 1}


class RuleKind(models.TextChoices):
    GRADE_DROP = "grade_drop", "等级下降"
    GRADE_CHANGE = "grade_change", "等级变化"
    INDICATOR = "indicator", "指标阈值/升幅"
    NEW_RECORD = "new_record", "新增记录"
    RECORD_COUNT = "record_count", "窗口内记录数"
    LIST_HIT = "list_hit", "名单命中"
    OVERDUE = "overdue", "逾期未修复/整改"


@audited
class WarningRule(PackOwned):
    identifier_fields = ("code", "message")  # the message template is edited as written, {placeholders} and all

    pack_fields = ("name", "kind", "level", "message", "subject_kinds", "params", "cooldown_days", "enabled", "pack", "description")

    code = models.CharField("规则编码", max_length=60, unique=True)
    name = models.CharField("规则名称", max_length=100)
    kind = models.CharField("规则类型", max_length=20, choices=RuleKind.choices)
    level = models.CharField("预警级别", max_length=10, choices=Level.choices, default=Level.YELLOW)
    message = models.CharField("消息模板", max_length=300, help_text="如：{subject}近{days}天收到{count}件投诉")
    subject_kinds = models.JSONField("适用主体类型", default=list, blank=True, help_text="留空表示全部主体类型")
    params = models.JSONField("规则参数", default=dict, blank=True)
    cooldown_days = models.PositiveIntegerField("冷却期（天）", default=0)
    enabled = models.BooleanField("启用", default=True)
    pack = models.CharField("业务包", max_length=40, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, kind_code: str) -> bool:
        return not self.subject_kinds or kind_code in self.subject_kinds

    def precision(self) -> tuple[float | None, int, int]:
        """(precision, confirmed risks, false alarms) from the outcomes recorded on its warnings."""
        rows = dict(self.warnings.exclude(outcome="").values_list("outcome").annotate(n=models.Count("id")).values_list("outcome", "n"))
        tp, fp = rows.get(Outcome.CONFIRMED, 0), rows.get(Outcome.FALSE_ALARM, 0)
        return (tp / (tp + fp) if tp + fp else None), tp, fp


class Status(models.TextChoices):
    NEW = "new", "新预警"
    CONFIRMED = "confirmed", "已研判·确认"
    DISPATCHED = "dispatched", "已派单"
    DISMISSED = "dismissed", "已研判·排除"
    MERGED = "merged", "已合并"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.NEW, Status.CONFIRMED, Status.DISPATCHED)


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed_risk", "确认风险"
    FALSE_ALARM = "false_alarm", "误报"


# What a rule stores about why it fired (warnings.rules): ids are left out, the record is linked on the page.
DATA_LABELS = {
    "record_type": "记录类型",
    "occurred_on": "发生日期",
    "summary": "摘要",
    "count": "次数",
    "days": "时间窗口（天）",
    "old_level": "原等级",
    "new_level": "新等级",
    "direction": "变化方向",
    "scheme": "等级方案",
    "old_score": "原综合风险分",
    "new_score": "新综合风险分",
    "as_of": "评分基准日",
}
DIRECTIONS = {"up": "上升", "down": "下降", "same-level": "不变"}


@audited
class Warning(models.Model):
    scope_region_field = "subject__region"

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="warnings")
    rule = models.ForeignKey(WarningRule, verbose_name="规则", null=True, blank=True, on_delete=models.PROTECT, related_name="warnings")
    rule_key = models.CharField("去重键", max_length=100, help_text="规则编码，或外部来源:类型")
    source = models.CharField("来源", max_length=40, default="rule")
    external_ref = models.CharField("外部编号", max_length=128, blank=True)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    title = models.CharField("标题", max_length=200)
    message = models.TextField("预警内容")
    data = models.JSONField("触发数据", default=dict, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    outcome = models.CharField("处置结论", max_length=20, choices=Outcome.choices, blank=True)
    review_reason = models.CharField("研判意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="研判人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("研判时间", null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    snoozed_until = models.DateTimeField("暂缓至", null=True, blank=True)
    snooze_reason = models.CharField("暂缓原因", max_length=200, blank=True)
    hit_count = models.PositiveIntegerField("触发次数", default=1)
    first_at = models.DateTimeField("首次触发", default=timezone.now, db_index=True)
    last_at = models.DateTimeField("最近触发", default=timezone.now)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-first_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "rule_key"],
                condition=Q(status__in=[str(s) for s in OPEN_STATUSES]),
                name="warning_one_open_per_subject_rule",
            )
        ]
        indexes = [models.Index(fields=["rule_key", "subject", "closed_at"])]

    def __str__(self) -> str:
        return self.title

    def display_value(self, key: str, value: object) -> object | None:
        """The trigger data (for the change history) by Chinese labels, without internal ids."""
        if key != "data" or not isinstance(value, dict):
            return None
        return {DATA_LABELS.get(k, k): DIRECTIONS.get(v, v) if k == "direction" else v for k, v in value.items() if not k.endswith("_id")}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def snoozed(self) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > timezone.now()


@audited
class Suppression(models.Model):
    """No new warning of ``rule`` (or any rule, when empty) for ``subject`` until ``until``."""

    scope_region_field = "subject__region"

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="+")
    rule_key = models.CharField("规则", max_length=100, blank=True, help_text="留空表示全部规则")
    until = models.DateTimeField("有效期至")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警屏蔽"
        verbose_name_plural = "预警屏蔽"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} · {self.rule_key or '全部规则'}"
