"""Data-quality rules in the GB/T 36344 dimensions and their measurements per batch."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from regwatch.audit.registry import audited


class Dimension(models.TextChoices):
    COMPLETENESS = "completeness", "完整性"
    VALIDITY = "validity", "规范性"
    CONSISTENCY = "consistency", "一致性"
    UNIQUENESS = "uniqueness", "唯一性"
    TIMELINESS = "timeliness", "时效性"
    ACCURACY = "accuracy", "准确性"


@audited
class QualityRule(models.Model):
    """One check: ``value = metric(batch)`` compared with ``threshold`` by ``operator``."""

    class Action(models.TextChoices):
        ALERT = "alert", "告警"
        BLOCK = "block", "阻断"

    class Operator(models.TextChoices):
        GTE = ">=", "≥"
        LTE = "<=", "≤"

    code = models.CharField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    pack = models.CharField("业务包", max_length=40, blank=True)
    dataset = models.CharField("数据集", max_length=40, help_text="记录类型编码；subject 表示主体登记")
    field = models.CharField("字段", max_length=64, blank=True)
    dimension = models.CharField("质量维度", max_length=15, choices=Dimension.choices)
    metric = models.CharField("度量", max_length=200, help_text="如：必填规则通过率、到达时延不超过 N 天的比例")
    checks = models.JSONField("计入的校验规则", default=list, blank=True, help_text="归集校验规则键，如 required:subject.uscc")
    expected = models.CharField("期望值", max_length=100, blank=True)
    operator = models.CharField("比较", max_length=2, choices=Operator.choices, default=Operator.GTE)
    threshold = models.FloatField("阈值", default=0.99)
    max_days = models.PositiveIntegerField("时效天数", default=30)
    action = models.CharField("处置", max_length=5, choices=Action.choices, default=Action.ALERT)
    key_field = models.BooleanField("关键字段", default=False)
    enabled = models.BooleanField("启用", default=True)

    percent_fields = ("threshold",)  # a pass rate

    class Meta:
        verbose_name = "质量规则"
        verbose_name_plural = "质量规则"
        ordering = ["dataset", "dimension", "code"]

    def __str__(self) -> str:
        return self.name

    def passes(self, value: float) -> bool:
        return value >= self.threshold if self.operator == self.Operator.GTE else value <= self.threshold


class Measurement(models.Model):
    scope_region_field = "region"  # the measured batch's region (intake.regions)

    rule = models.ForeignKey(QualityRule, verbose_name="规则", on_delete=models.CASCADE, related_name="measurements")
    source = models.ForeignKey("intake.Source", verbose_name="数据源", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey("intake.Batch", verbose_name="批次", on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField("所属月份", db_index=True)
    total = models.PositiveIntegerField("检查数")
    passed = models.PositiveIntegerField("通过数")
    value = models.FloatField("度量值")
    ok = models.BooleanField("达标")
    measured_at = models.DateTimeField("度量时间", default=timezone.now)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    percent_fields = ("value",)  # passed / total

    class Meta:
        verbose_name = "质量度量"
        verbose_name_plural = "质量度量"
        ordering = ["-measured_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "batch"], name="quality_measurement_rule_batch")]

    def __str__(self) -> str:
        return f"{self.rule} {self.value:.2%}"
