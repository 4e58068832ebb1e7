"""Intake: sources, versioned field mappings, batches, quarantine, lineage and subject matching."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from regwatch.audit.registry import audited
from regwatch.packs.tracking import PackOwned

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "gb18030": "GBK（GB18030）",
    "gbk": "GBK",
    "gb2312": "GBK（GB2312）",
    "": "—",
}
SUBJECT_TARGET = "subject"  # the mapping target that registers/updates subjects instead of records


@audited
class Source(PackOwned):
    """数据源登记: one system or ledger that sends us data."""

    pack_fields = ("name", "pack", "owner", "system", "kind", "frequency", "contact", "description", "config")

    class Kind(models.TextChoices):
        FILE = "file", "文件导入"
        PUSH = "push", "接口推送"
        HTTP_PULL = "http_pull", "接口拉取"
        DB_PULL = "db_pull", "数据库拉取"

    class Status(models.TextChoices):
        ACTIVE = "active", "启用"
        PAUSED = "paused", "暂停"
        RETIRED = "retired", "停用"

    class Health(models.TextChoices):
        UNKNOWN = "unknown", "未知"
        OK = "ok", "正常"
        WARNING = "warning", "质量告警"
        ERROR = "error", "异常"

    code = models.CharField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    pack = models.CharField("业务包", max_length=40, blank=True, db_index=True)
    owner = models.CharField("归属部门", max_length=100, blank=True)
    system = models.CharField("来源系统", max_length=100, blank=True)
    kind = models.CharField("接入方式", max_length=10, choices=Kind.choices, default=Kind.FILE)
    frequency = models.CharField("更新频率", max_length=40, blank=True)
    contact = models.CharField("联系人", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_received_at = models.DateTimeField("最近接收时间", null=True, blank=True)
    health = models.CharField("健康状况", max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    config = models.JSONField("连接配置", default=dict, blank=True)
    cursor = models.CharField("增量游标", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "数据源"
        verbose_name_plural = "数据源"
        ordering = ["code"]
        permissions = [("push_source", "通过接口推送数据")]

    def __str__(self) -> str:
        return self.name


@audited
class FieldMapping(PackOwned):
    """One version of how a source's columns become a record type's fields (append-only versions)."""

    pack_fields = ("fields", "rules")

    source = models.ForeignKey(Source, verbose_name="数据源", on_delete=models.CASCADE, related_name="mappings")
    target = models.CharField("目标记录类型", max_length=40, help_text="记录类型编码；subject 表示主体登记")
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    fields = models.JSONField("字段映射", default=list, blank=True)
    rules = models.JSONField("校验规则", default=list, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "字段映射"
        verbose_name_plural = "字段映射"
        ordering = ["source__code", "target", "-version"]
        constraints = [models.UniqueConstraint(fields=["source", "target", "version"], name="intake_mapping_version")]

    def __str__(self) -> str:
        from regwatch.web.readable import code_label  # the target record type's name

        return f"{self.source.name} → {code_label(self.target)} v{self.version}"


class Batch(models.Model):
    """One intake (a file, a push call, a pull run) and what became of its rows.

    ``region`` is the smallest region holding every subject the batch's rows resolved to and the
    uploader's organisation (``intake.regions``), so a county data administrator sees the county's
    batches; a batch with no known region is seen by all-region staff only.
    """

    scope_region_field = "region"

    class Status(models.TextChoices):
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "导入失败"

    source = models.ForeignKey(Source, verbose_name="数据源", on_delete=models.PROTECT, related_name="batches")
    mapping = models.ForeignKey(FieldMapping, verbose_name="映射版本", null=True, blank=True, on_delete=models.PROTECT)
    job = models.ForeignKey("ops.Job", verbose_name="任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField("接入方式", max_length=10, choices=Source.Kind.choices, default=Source.Kind.FILE)
    filename = models.CharField("文件名", max_length=255, blank=True)
    encoding = models.CharField("编码", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    accepted = models.PositiveIntegerField("新增入库", default=0)
    merged = models.PositiveIntegerField("合并更新", default=0)
    quarantined = models.PositiveIntegerField("隔离", default=0)
    updated = models.PositiveIntegerField("其中更新", default=0)
    unchanged = models.PositiveIntegerField("其中无变化", default=0)
    warnings = models.PositiveIntegerField("警告", default=0)
    fixed = models.PositiveIntegerField("修正回流", default=0)
    rule_failures = models.JSONField("各规则失败数", default=dict, blank=True)
    notes = models.JSONField("提示", default=list, blank=True)
    quality_gate = models.CharField("质量门", max_length=10, blank=True, help_text="passed 通过 / alert 告警 / blocked 阻断")
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"批次 {self.pk} · {self.source.name}"

    @property
    def encoding_name(self) -> str:
        """The detected encoding as a data administrator knows it (GBK, not gb18030)."""
        return ENCODING_NAMES.get(self.encoding.lower(), self.encoding.upper())

    encoding_name.fget.label = "编码"  # type: ignore[attr-defined]

    @property
    def balanced(self) -> bool:
        return self.accepted + self.merged + self.quarantined == self.rows_read


class QuarantinedRow(models.Model):
    """A row held back; ``region`` is its subject's when one is known, else its batch's."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        REVIEW = "review", "待人工确认匹配"
        FIXED = "fixed", "已修正入库"
        IGNORED = "ignored", "已忽略"

    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.CASCADE, related_name="quarantine")
    row_number = models.PositiveIntegerField("行号")
    sheet = models.CharField("工作表", max_length=64, blank=True)
    raw = models.JSONField("原始数据", default=dict)
    reasons = models.JSONField("问题原因", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    fixed_raw = models.JSONField("修正后数据", null=True, blank=True)
    resubmitted_at = models.DateTimeField("重新提交时间", null=True, blank=True)
    record = models.ForeignKey("subjects.Record", verbose_name="入库记录", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("隔离时间", auto_now_add=True)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "隔离数据"
        verbose_name_plural = "隔离数据"
        ordering = ["batch", "row_number", "id"]

    def __str__(self) -> str:
        return f"批次{self.batch_id} 第{self.row_number}行"

    @property
    def reason_text(self) -> str:
        return "；".join(r.get("message", "") for r in self.reasons)

    reason_text.fget.label = "问题原因"  # type: ignore[attr-defined]

    def subject_value(self, key: str) -> str:
        """The subject's ``name``/``uscc``: the stored record's subject once fixed, else what the row's file gave."""
        from .mapping import source_columns

        record = self.record if self.record_id else None
        if record is not None:
            return str(getattr(record.subject, key) or "")
        mapping = self.batch.mapping
        columns = source_columns(mapping.fields) if mapping else {}
        keys = ("uscc", "licence_no") if key == "uscc" else (key,)  # a row without USCC is known by its licence number
        for k in keys:
            value = self.raw.get(columns.get(f"subject.{k}", ""))
            if value not in (None, ""):
                return str(value).strip()
        return ""

    @property
    def subject_name(self) -> str:
        return self.subject_value("name")

    subject_name.fget.label = "主体名称"  # type: ignore[attr-defined]

    @property
    def subject_code(self) -> str:
        return self.subject_value("uscc")

    subject_code.fget.label = "统一社会信用代码"  # type: ignore[attr-defined]


class MatchMethod(models.TextChoices):
    """How a row found its subject (intake/matching.py)."""

    USCC = "uscc", "统一社会信用代码一致"
    IDENTIFIER = "identifier", "主体标识一致"
    FUZZY = "fuzzy", "名称地址相似，自动合并"
    REVIEW = "review", "人工复核确认"


class RecordLineage(models.Model):
    """Where a stored record came from: source, batch, source row and mapping version."""

    record = models.OneToOneField("subjects.Record", verbose_name="记录", on_delete=models.CASCADE, related_name="lineage")
    source = models.ForeignKey(Source, verbose_name="数据源", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField("来源行号")
    mapping = models.ForeignKey(FieldMapping, verbose_name="映射版本", null=True, on_delete=models.PROTECT, related_name="+")
    match_method = models.CharField("匹配方式", max_length=20, blank=True, choices=MatchMethod.choices)
    warnings = models.JSONField("警告", default=list, blank=True)
    refreshed_at = models.DateTimeField("最近刷新", default=timezone.now)

    class Meta:
        verbose_name = "记录血缘"
        verbose_name_plural = "记录血缘"

    def __str__(self) -> str:
        return f"{self.record_id} ← {self.source_id}/批次{self.batch_id}#{self.row_number}"


class RecordVersion(models.Model):
    """The previous content of a record that a corrected file replaced."""

    record = models.ForeignKey("subjects.Record", verbose_name="记录", on_delete=models.CASCADE, related_name="versions")
    batch = models.ForeignKey(Batch, verbose_name="替换批次", on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField("发生日期")
    summary = models.CharField("摘要", max_length=255, blank=True)
    data = models.JSONField("内容", default=dict)
    replaced_at = models.DateTimeField("替换时间", default=timezone.now)

    class Meta:
        verbose_name = "记录历史版本"
        verbose_name_plural = "记录历史版本"
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"记录{self.record_id} 历史版本"


class SubjectLineage(models.Model):
    """The last batch that set a subject's attributes, field by field (refresh time per field)."""

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="intake_lineage")
    field = models.CharField("属性", max_length=40)
    source = models.ForeignKey(Source, verbose_name="数据源", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField("来源行号")
    mapping = models.ForeignKey(FieldMapping, verbose_name="映射版本", null=True, on_delete=models.PROTECT, related_name="+")
    refreshed_at = models.DateTimeField("最近刷新", default=timezone.now)

    class Meta:
        verbose_name = "主体属性血缘"
        verbose_name_plural = "主体属性血缘"
        constraints = [models.UniqueConstraint(fields=["subject", "field"], name="intake_subject_lineage_field")]

    def __str__(self) -> str:
        return f"{self.subject_id}.{self.field}"


class MatchReview(models.Model):
    """A grey-zone match a data admin confirms or rejects."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已驳回"

    row = models.OneToOneField(QuarantinedRow, verbose_name="待匹配数据", on_delete=models.CASCADE, related_name="review")
    candidate = models.ForeignKey("subjects.Subject", verbose_name="候选主体", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("匹配得分")
    explanation = models.JSONField("得分说明", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "匹配复核"
        verbose_name_plural = "匹配复核"
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"匹配复核 {self.pk}"


class MergeLog(models.Model):
    """A row merged into an existing subject by fuzzy match or review; can be undone."""

    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.CASCADE, related_name="merges")
    row_number = models.PositiveIntegerField("来源行号")
    raw = models.JSONField("原始数据", default=dict)
    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey("subjects.Record", verbose_name="记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField("方式", max_length=20, choices=MatchMethod.choices)
    score = models.FloatField("得分", null=True, blank=True)
    explanation = models.JSONField("说明", default=dict, blank=True)
    created_at = models.DateTimeField("合并时间", auto_now_add=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "合并记录"
        verbose_name_plural = "合并记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"合并 {self.pk}"
