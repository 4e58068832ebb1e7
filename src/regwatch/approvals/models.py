"""审批: one request per high-risk operation that needs a second person's yes (seed 000 §7).

Kinds: a bulk export above ``REGWATCH_EXPORT_APPROVAL_ROWS`` rows, an export with clear sensitive
values above ``REGWATCH_UNMASKED_EXPORT_ROWS`` rows, and manual grade changes (a mirror of
``scoring.GradeOverride``, decided through scoring's own service).  Every request, decision and
use is an audited save of this model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from regwatch.audit.registry import audited


class Kind(models.TextChoices):
    EXPORT = "export", "批量导出"
    UNMASKED_EXPORT = "unmasked_export", "敏感字段明文导出"
    GRADE_OVERRIDE = "grade_override", "等级人工调整"


class Status(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    USED = "used", "已使用"
    EXPIRED = "expired", "已过期"


@audited
class ApprovalRequest(models.Model):
    # A request belongs to the region it concerns (the requester's organisation, a grade change's
    # subject): approvers see the requests of their data scope.
    scope_region_field = "region"

    kind = models.CharField("审批类型", max_length=20, choices=Kind.choices, db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    title = models.CharField("申请事项", max_length=255)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target = models.JSONField("申请内容", default=dict, blank=True)
    reason = models.TextField("申请理由")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.CharField("审批意见", max_length=255, blank=True)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    override = models.OneToOneField(
        "scoring.GradeOverride", verbose_name="等级调整", null=True, blank=True, on_delete=models.CASCADE, related_name="approval"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审批"
        verbose_name_plural = "审批"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_unmasked", "查看敏感字段明文"),
            ("approve_export", "审批批量导出"),
            ("approve_unmasked_export", "审批敏感字段明文导出"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def content(self) -> str:
        """What is asked, in words: the list, its filters by their labels, the rows; a grade change's title."""
        if self.kind == Kind.GRADE_OVERRIDE:
            return self.title
        from regwatch.web.registry import REGISTRY

        otype = REGISTRY.get(str(self.target.get("list", "")))
        if otype is None:
            return self.title
        filters = otype.filterset.base_filters
        parts = []
        for key, values in (self.target.get("filters") or {}).items():
            f = filters.get(key)
            choices = dict(f.extra.get("choices") or []) if f is not None and isinstance(f.extra.get("choices"), list | tuple) else {}
            shown = "、".join(str(choices.get(v, v)) for v in values)
            parts.append(f"{f.label if f is not None and f.label else key}为{shown}")
        where = "；".join(parts) if parts else "全部"
        return f"{otype.title}（筛选：{where}），共 {self.target.get('rows', '—')} 行"

    content.fget.label = "申请内容"  # type: ignore[attr-defined]
