"""Grade schemes, scoring models and their versions, runs, scores, current grades, changes, overrides."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from regwatch.audit.registry import audited
from regwatch.packs.tracking import PackOwned

USER = settings.AUTH_USER_MODEL


@audited
class GradeScheme(PackOwned):
    pack_fields = ("name", "pack", "levels")

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    pack = models.CharField("业务包", max_length=40, blank=True)
    levels = models.JSONField("等级", default=list, help_text="按风险由低到高：编码、名称、颜色、分值区间、说明")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "等级方案"
        verbose_name_plural = "等级方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> Any:
        from .spec import GradeSchemeSpec

        return GradeSchemeSpec.model_validate({"code": self.code, "name": self.name, "levels": self.levels})

    def level(self, code: str | None) -> dict[str, Any]:
        return next((lv for lv in self.levels if lv["code"] == code), {"code": code or "", "name": "", "color": "#999999"})

    def level_label(self, code: str | None) -> str:
        """“A 低风险”: the code officials use together with its name."""
        return f"{code or ''} {self.level(code)['name']}".strip()


def _labelled(prop: Any, label: str) -> Any:
    prop.fget.label = label  # read by web.registry.field_label for column headers
    return prop


@audited
class ScoreModel(PackOwned):
    pack_fields = ("name", "pack", "scheme", "description")

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    pack = models.CharField("业务包", max_length=40, db_index=True)
    scheme = models.ForeignKey(GradeScheme, verbose_name="等级方案", on_delete=models.PROTECT, related_name="models")
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "评分模型"
        verbose_name_plural = "评分模型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def published(self) -> ModelVersion | None:
        return self.versions.filter(status=ModelVersion.Status.PUBLISHED).first()


@audited
class ModelVersion(PackOwned):
    pack_fields = ("spec", "levels")

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        VALIDATED = "validated", "已校验"
        DRY_RUN = "dry_run", "已试算"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    model = models.ForeignKey(ScoreModel, verbose_name="评分模型", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    spec = models.JSONField("评分卡", default=dict, help_text="分类、权重、分档、公式、底线规则")
    indicators = models.JSONField("指标定义快照", default=list, blank=True)
    levels = models.JSONField("等级区间快照", default=list, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)
    author = models.ForeignKey(USER, verbose_name="编制人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    validated_at = models.DateTimeField("校验时间", null=True, blank=True)
    dry_run = models.JSONField("试算结果", default=dict, blank=True)
    published_by = models.ForeignKey(USER, verbose_name="发布人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    restored_from = models.ForeignKey("self", verbose_name="恢复自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "模型版本"
        verbose_name_plural = "模型版本"
        ordering = ["model", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="model_version_number"),
            models.UniqueConstraint(fields=["model"], condition=models.Q(status="published"), name="one_published_version"),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.number}"


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "计算中"
        STAGED = "staged", "已计算待发布"
        PUBLISHED = "published", "已发布"
        DRY_RUN = "dry_run", "试算"
        FAILED = "failed", "失败"

    class Mode(models.TextChoices):
        FULL = "full", "全量"
        INCREMENTAL = "incremental", "增量"

    version = models.ForeignKey(ModelVersion, verbose_name="模型版本", on_delete=models.PROTECT, related_name="runs")
    scheme = models.ForeignKey(GradeScheme, verbose_name="等级方案", on_delete=models.PROTECT, related_name="runs")
    as_of = models.DateField("评分基准日", db_index=True)
    known_cutoff = models.DateTimeField("数据获知截止")
    mode = models.CharField("方式", max_length=12, choices=Mode.choices, default=Mode.FULL)
    engine = models.CharField("计算引擎", max_length=10, default="duckdb")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    trigger = models.CharField("触发方式", max_length=40, default="manual")
    subject_count = models.PositiveIntegerField("主体数", default=0)
    distribution = models.JSONField("等级分布", default=dict, blank=True)
    timings = models.JSONField("耗时（秒）", default=dict, blank=True)
    freshness = models.JSONField("数据新鲜度", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    job = models.ForeignKey("ops.Job", verbose_name="进度", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    # Who is computing it, and when it last said so: a run still "running" whose process is gone
    # is marked failed by the next run or by the worker's start-up (runs.fail_stale_runs).
    host = models.CharField("计算主机", max_length=100, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    kept_newer = models.PositiveIntegerField("保留较新等级数", default=0, help_text="发布时因已有更新的评分结果而未覆盖的主体数")

    class Meta:
        verbose_name = "评分批次"
        verbose_name_plural = "评分批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.version} {self.as_of}"


class PendingRegrade(models.Model):
    """A subject waiting for the next debounced incremental re-grade (see ``tasks.regrade_pending``)."""

    subject = models.OneToOneField("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="+")
    source = models.CharField("触发来源", max_length=40, blank=True)
    added_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "待重评主体"
        verbose_name_plural = "待重评主体"

    def __str__(self) -> str:
        return f"{self.subject_id}"


class Score(models.Model):
    """One subject's result in one run (staging until the run is published)."""

    scope_region_field = "subject__region"

    run = models.ForeignKey(ScoringRun, verbose_name="批次", on_delete=models.CASCADE, related_name="scores")
    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="scores")
    score = models.FloatField("综合风险分")
    level = models.CharField("等级", max_length=10)
    score_level = models.CharField("分值对应等级", max_length=10)
    sub_scores = models.JSONField("分类得分", default=dict)
    detail = models.JSONField("指标明细", default=dict)

    class Meta:
        verbose_name = "评分结果"
        verbose_name_plural = "评分结果"
        constraints = [models.UniqueConstraint(fields=["run", "subject"], name="score_run_subject")]

    def __str__(self) -> str:
        return f"{self.subject.name} {self.level}级 {self.score:.1f}分"

    level_name = _labelled(property(lambda self: self.run.scheme.level_label(self.level)), "等级")


class CurrentGrade(models.Model):
    """The grade in force per subject and scheme (replaced atomically when a run is published)."""

    scope_region_field = "subject__region"

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="grades")
    scheme = models.ForeignKey(GradeScheme, verbose_name="等级方案", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ScoringRun, verbose_name="批次", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField("综合风险分")
    level = models.CharField("等级", max_length=10, db_index=True)
    sub_scores = models.JSONField("分类得分", default=dict)
    as_of = models.DateField("评分基准日")

    class Meta:
        verbose_name = "当前等级"
        verbose_name_plural = "当前等级"
        constraints = [models.UniqueConstraint(fields=["subject", "scheme"], name="current_grade_unique")]

    def __str__(self) -> str:
        return f"{self.subject.name} {self.level}级 {self.score:.1f}分"

    level_name = _labelled(property(lambda self: self.scheme.level_label(self.level)), "等级")


class GradeChange(models.Model):
    scope_region_field = "subject__region"

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="grade_changes")
    scheme = models.ForeignKey(GradeScheme, verbose_name="等级方案", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(ScoringRun, verbose_name="批次", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    old_level = models.CharField("原等级", max_length=10, blank=True)
    new_level = models.CharField("新等级", max_length=10)
    old_score = models.FloatField("原分值", null=True, blank=True)
    new_score = models.FloatField("新分值")
    direction = models.CharField("方向", max_length=12)
    as_of = models.DateField("评分基准日")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "等级变化"
        verbose_name_plural = "等级变化"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.old_level or '—'}→{self.new_level}"


@audited
class GradeOverride(models.Model):
    """人工复核/等级调整: proposed with reason and evidence, approved by a second user, expires."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已生效"
        REJECTED = "rejected", "已驳回"

    scope_region_field = "subject__region"

    subject = models.ForeignKey("subjects.Subject", verbose_name="主体", on_delete=models.CASCADE, related_name="grade_overrides")
    scheme = models.ForeignKey(GradeScheme, verbose_name="等级方案", on_delete=models.CASCADE, related_name="+")
    level = models.CharField("调整后等级", max_length=10)
    reason = models.TextField("调整理由")
    evidence = models.TextField("证据材料", blank=True)
    expires_on = models.DateField("有效期至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(USER, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(USER, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "等级调整"
        verbose_name_plural = "等级调整"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject.name} 调整为 {self.level}级"

    level_name = _labelled(property(lambda self: self.scheme.level_label(self.level)), "调整后等级")
