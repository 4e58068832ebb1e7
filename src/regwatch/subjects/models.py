"""Subjects (一企一档) and the typed facts (records) known about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from regwatch.audit.registry import audited
from regwatch.core.dictionaries import industry_name
from regwatch.core.validators import USCCField

from .signals import subject_changed


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
    catalog_dataset = "subject"  # masking follows the catalog's 主体登记 fields (web.masking)

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

    def save(self, *args, valid_from: dt.date | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """Save, and write a ``SubjectVersion`` when a graded field changed (in force from ``valid_from``, default today)."""
        if not self.pack and self.kind_id:
            self.pack = self.kind.pack
        super().save(*args, **kwargs)
        SubjectVersion.write(self, valid_from)

    @property
    def industry(self) -> str:
        return industry_name(self.industry_code) if self.industry_code else ""

    industry.fget.label = "所属行业"  # type: ignore[attr-defined]


class SubjectVersion(models.Model):
    """A subject's graded fields (kind, status, industry, founding date, attributes) over time.

    ``valid_from`` is the day the values took effect (null: since the beginning — the values the
    subject was first known with); ``known_at`` is when we learned of them.  A scoring run as of D
    uses, per subject, the version in force on D as known at its cut-off (the latest
    ``valid_from ≤ D`` among versions with ``known_at`` before the cut-off); a subject with no such
    version is graded with its earliest version.  Written by ``Subject.save`` whenever a graded field
    changes, and in bulk by pack generation; never edited.
    """

    GRADED = ("kind_id", "status", "industry_code", "established_on", "attributes")

    subject = models.ForeignKey(Subject, verbose_name="主体", on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField("生效日期", null=True, blank=True, help_text="留空表示自设立起")
    known_at = models.DateTimeField("获知时间", default=timezone.now)
    kind = models.ForeignKey(SubjectKind, verbose_name="主体类型", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("经营状态", max_length=10, choices=SubjectStatus.choices)
    industry_code = models.CharField("行业代码", max_length=10, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    attributes = models.JSONField("扩展属性", default=dict, blank=True)

    class Meta:
        verbose_name = "主体历史版本"
        verbose_name_plural = "主体历史版本"
        ordering = ["subject", "-id"]
        indexes = [models.Index(fields=["subject", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.subject_id} 自{self.valid_from or '设立'}起"

    @classmethod
    def of(cls, subject: Subject, **extra: Any) -> SubjectVersion:
        return cls(subject=subject, **{f: getattr(subject, f) for f in cls.GRADED}, **extra)

    @classmethod
    def write(cls, subject: Subject, valid_from: dt.date | None = None) -> SubjectVersion | None:
        """Record the subject's graded fields if they differ from the last version written."""
        last = cls.objects.filter(subject=subject).order_by("-id").first()
        if last is not None and all(getattr(last, f) == getattr(subject, f) for f in cls.GRADED):
            return None
        since = valid_from if valid_from is not None or last is None else timezone.localdate()
        version = cls.objects.create(**{f: getattr(subject, f) for f in cls.GRADED}, subject=subject, valid_from=since)
        if last is not None:
            pk = subject.pk
            transaction.on_commit(lambda: subject_changed.send(sender=Subject, subject_id=pk, valid_from=since))
        return version


class CurrentRecords(models.Manager["Record"]):
    """Records as they stand now: the versions a correction replaced are left out."""

    def get_queryset(self) -> models.QuerySet[Record]:
        return super().get_queryset().filter(superseded_at__isnull=True)


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

    Corrections keep history: the row keeps its id and takes the corrected content with
    ``known_at`` = the time of the correction, and the replaced content is kept as another row
    (``superseded_at`` = that time, ``current`` = the live row, the original ``known_at``), which
    scoring runs with a cut-off before the correction still see.  ``Record.objects`` shows only
    live rows; ``Record.all_versions`` shows both.
    """

    VERSIONED = ("subject_id", "record_type_id", "occurred_on", "summary", "data")

    scope_region_field = "subject__region"
    # The keys of ``data`` are the fields of the record type's catalog dataset (web.masking).
    catalog_dataset_at = "record_type__code"
    catalog_json_fields = ("data",)

    subject = models.ForeignKey(Subject, verbose_name="主体", on_delete=models.CASCADE, related_name="records")
    record_type = models.ForeignKey(RecordType, verbose_name="记录类型", on_delete=models.PROTECT, related_name="records")
    occurred_on = models.DateField("发生日期")
    known_at = models.DateTimeField("获知时间", default=timezone.now)
    source = models.CharField("数据来源", max_length=64)
    source_ref = models.CharField("来源编号", max_length=128, blank=True)
    summary = models.CharField("摘要", max_length=255, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    superseded_at = models.DateTimeField("被更正时间", null=True, blank=True, editable=False)
    current = models.ForeignKey(
        "self", verbose_name="现行记录", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="earlier"
    )

    objects = CurrentRecords()
    all_versions = models.Manager()  # noqa: DJ012 - ruff takes the custom default manager above for a field

    class Meta:
        verbose_name = "监管记录"
        verbose_name_plural = "监管记录"
        ordering = ["-occurred_on", "-id"]
        base_manager_name = "all_versions"
        indexes = [
            models.Index(fields=["subject", "occurred_on"]),
            models.Index(fields=["record_type", "occurred_on"]),
            models.Index(fields=["known_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref="") & models.Q(superseded_at__isnull=True),
                name="record_source_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.occurred_on}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """A change to a stored record's content is a correction: keep the old content as a version."""
        if self.pk is not None and not self._state.adding and self.superseded_at is None:
            old = Record.all_versions.filter(pk=self.pk).first()
            if old is not None and any(getattr(old, f) != getattr(self, f) for f in self.VERSIONED):
                now = timezone.now()
                Record.all_versions.bulk_create([old.superseded_copy(now)])  # no signals: not a new fact
                self._corrected = True  # announced like a new record (subjects.signals), so it is re-graded
                if self.known_at == old.known_at:
                    self.known_at = now
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "known_at"}
        super().save(*args, **kwargs)

    def superseded_copy(self, at: dt.datetime) -> Record:
        """This record's content as a replaced version (call before changing it)."""
        return Record(
            **{f: getattr(self, f) for f in (*self.VERSIONED, "known_at", "source", "source_ref")},
            superseded_at=at,
            current_id=self.pk,
        )


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
