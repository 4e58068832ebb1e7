"""Subjects (一企一档) and the typed facts (records) known about them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from regwatch.audit.registry import audited
from regwatch.core.dictionaries import industry_name
from regwatch.core.validators import USCCField


@audited
class SubjectKind(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    pack = models.CharField("业务包", max_length=40, db_index=True)
    description = models.TextField("说明", blank=True)
    attributes = models.JSONField("扩展属性定义", default=list, blank=True)

    class Meta:
        verbose_name = "主体类型"
        verbose_name_plural = "主体类型"
        ordering = ["pack", "code"]

    def __str__(self) -> str:
        return self.name


@audited
class RecordType(models.Model):
    """A kind of fact (licence, inspection, penalty...) with the fields its data carries."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    pack = models.CharField("业务包", max_length=40, db_index=True)
    category = models.CharField("类别", max_length=40, blank=True)
    description = models.TextField("说明", blank=True)
    fields = models.JSONField("字段定义", default=list, blank=True)

    class Meta:
        verbose_name = "记录类型"
        verbose_name_plural = "记录类型"
        ordering = ["pack", "code"]

    def __str__(self) -> str:
        return self.name


class SubjectStatus(models.TextChoices):
    ACTIVE = "active", "存续"
    ABNORMAL = "abnormal", "经营异常"
    SUSPENDED = "suspended", "停业"
    REVOKED = "revoked", "吊销"
    CLOSED = "closed", "注销"


@audited
class Subject(models.Model):
    scope_region_field = "region"

    kind = models.ForeignKey(SubjectKind, verbose_name="主体类型", on_delete=models.PROTECT, related_name="subjects")
    uscc = USCCField(null=True, blank=True, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="subjects")
    industry_code = models.CharField("行业代码", max_length=10, blank=True, db_index=True, help_text="GB/T 4754")
    address = models.CharField("经营地址", max_length=255, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    status = models.CharField("经营状态", max_length=10, choices=SubjectStatus.choices, default=SubjectStatus.ACTIVE, db_index=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    pack = models.CharField("业务包", max_length=40, db_index=True, blank=True, help_text="留空时取主体类型所属业务包")
    attributes = models.JSONField("扩展属性", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "监管主体"
        verbose_name_plural = "监管主体"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["region", "kind"]),
            models.Index(fields=["pack", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.pack and self.kind_id:
            self.pack = self.kind.pack
        super().save(*args, **kwargs)

    @property
    def industry(self) -> str:
        return industry_name(self.industry_code) if self.industry_code else ""

    industry.fget.label = "所属行业"  # type: ignore[attr-defined]


@audited
class SubjectIdentifier(models.Model):
    """Identifiers beside the USCC: licence numbers, registration numbers, permit numbers."""

    scope_region_field = "subject__region"

    subject = models.ForeignKey(Subject, verbose_name="主体", on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField("标识类型", max_length=40)
    value = models.CharField("标识值", max_length=64)
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "主体标识"
        verbose_name_plural = "主体标识"
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="identifier_scheme_value")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@audited
class Record(models.Model):
    """A dated fact about a subject.

    ``occurred_on`` is when it happened; ``known_at`` is when we learned of it, so a grade
    can be recomputed exactly as it was known on an earlier date.
    """

    scope_region_field = "subject__region"

    subject = models.ForeignKey(Subject, verbose_name="主体", on_delete=models.CASCADE, related_name="records")
    record_type = models.ForeignKey(RecordType, verbose_name="记录类型", on_delete=models.PROTECT, related_name="records")
    occurred_on = models.DateField("发生日期")
    known_at = models.DateTimeField("获知时间", default=timezone.now)
    source = models.CharField("数据来源", max_length=64)
    source_ref = models.CharField("来源编号", max_length=128, blank=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = "监管记录"
        verbose_name_plural = "监管记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["subject", "occurred_on"]),
            models.Index(fields=["record_type", "occurred_on"]),
            models.Index(fields=["known_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], condition=~models.Q(source_ref=""), name="record_source_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.occurred_on}"


@audited
class Tag(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    category = models.CharField("类别", max_length=40, blank=True)
    color = models.CharField("颜色", max_length=20, default="secondary")
    pack = models.CharField("业务包", max_length=40, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


@audited
class SubjectTag(models.Model):
    scope_region_field = "subject__region"

    subject = models.ForeignKey(Subject, verbose_name="主体", on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, verbose_name="标签", on_delete=models.PROTECT, related_name="assignments")
    source = models.CharField("来源", max_length=64, default="manual")
    assigned_at = models.DateTimeField("标注时间", default=timezone.now)
    expires_on = models.DateField("失效日期", null=True, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)

    class Meta:
        verbose_name = "主体标签"
        verbose_name_plural = "主体标签"
        ordering = ["-assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["subject", "tag"], name="subject_tag_unique")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.tag}"
