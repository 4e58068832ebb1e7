"""Work orders (工单/案件) run by a generic workflow engine over versioned, pack-declared definitions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from regwatch.audit.registry import audited
from regwatch.packs.tracking import PackOwned


@audited
class WorkflowDefinition(PackOwned):
    """One version of a work-order type; running orders keep the version they started with."""

    pack_fields = ("name", "definition")

    code = models.CharField("类型编码", max_length=60)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("工单类型", max_length=100)
    definition = models.JSONField("流程定义")
    checksum = models.CharField("校验和", max_length=64)
    is_current = models.BooleanField("当前版本", default=True)
    pack = models.CharField("业务包", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单流程定义"
        verbose_name_plural = "工单流程定义"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="workflow_code_version")]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"


class Source(models.TextChoices):
    WARNING = "warning", "预警"
    CLUE = "clue", "线索"
    EXTERNAL = "external", "外部事件"
    MANUAL = "manual", "人工创建"


@audited
class Clue(models.Model):
    """A lead (线索) awaiting review, then bundled into a ledger or turned into a work order."""

    scope_region_field = "region"

    class Status(models.TextChoices):
        NEW = "new", "待审核"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "不予受理"
        DISPATCHED = "dispatched", "已派发"
        DONE = "done", "已办结"

    region = models.ForeignKey("core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name="主体", null=True, blank=True, on_delete=models.SET_NULL, related_name="clues"
    )
    title = models.CharField("线索标题", max_length=200)
    content = models.TextField("线索内容", blank=True)
    source = models.CharField("线索来源", max_length=60, default="manual")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    review_reason = models.CharField("审核意见", max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "线索"
        verbose_name_plural = "线索"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


@audited
class Ledger(models.Model):
    """A ledger task package (台账): clues bundled for dispatch to several organisations."""

    scope_region_field = "region"

    name = models.CharField("台账名称", max_length=100)
    period = models.CharField("期次", max_length=20)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey("self", verbose_name="上期台账", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    dispatched_at = models.DateTimeField("派发时间", null=True, blank=True)

    class Meta:
        verbose_name = "台账"
        verbose_name_plural = "台账"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.period}）"


class LedgerItem(models.Model):
    scope_region_field = "clue__region"

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="items")
    clue = models.ForeignKey(Clue, verbose_name="线索", on_delete=models.PROTECT, related_name="ledger_items")
    organization = models.ForeignKey("core.Organization", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    carried_over = models.BooleanField("上期结转", default=False)
    work_order = models.ForeignKey("WorkOrder", verbose_name="工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "台账条目"
        verbose_name_plural = "台账条目"
        constraints = [models.UniqueConstraint(fields=["ledger", "clue"], name="ledger_clue_once")]

    def __str__(self) -> str:
        return f"{self.ledger} · {self.clue}"


@audited
class WorkOrder(models.Model):
    scope_region_field = "region"

    number = models.CharField("工单编号", max_length=32, unique=True)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("内容", blank=True)
    workflow = models.ForeignKey(WorkflowDefinition, verbose_name="流程", on_delete=models.PROTECT, related_name="orders")
    state = models.CharField("状态", max_length=40, db_index=True)
    region = models.ForeignKey("core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "subjects.Subject", verbose_name="主体", null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.MANUAL)
    warning = models.ForeignKey(
        "warnings.Warning", verbose_name="来源预警", null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    clue = models.ForeignKey(Clue, verbose_name="来源线索", null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders")
    external_ref = models.CharField("外部事件编号", max_length=128, blank=True)
    assignee_org = models.ForeignKey(
        "core.Organization", verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    co_orgs = models.ManyToManyField("core.Organization", verbose_name="协办单位", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    state_since = models.DateTimeField("进入当前状态", default=timezone.now)
    due_at = models.DateTimeField("当前环节期限", null=True, blank=True, db_index=True)
    reminded = models.BooleanField("已提醒", default=False)
    escalation_level = models.PositiveSmallIntegerField("升级次数", default=0)
    was_overdue = models.BooleanField("曾超期", default=False)
    supervised = models.BooleanField("督办", default=False)
    data = models.JSONField("办理数据", default=dict, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理锁定人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-created_at", "-id"]
        # Assigning, transferring or inviting co-handling outside the order's region needs this right.
        permissions = [("dispatch_cross_region", "可跨区划派发、转办、邀请协办工单")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def spec(self) -> dict:  # type: ignore[type-arg]
        return self.workflow.definition

    @property
    def state_name(self) -> str:
        return next((s["name"] for s in self.spec["states"] if s["code"] == self.state), self.state)

    def display_value(self, key: str, value: object) -> object | None:
        """The name of a state code, and the form data by its labels (for the change history)."""
        if key in ("state",) and isinstance(value, str):
            return next((s["name"] for s in self.spec["states"] if s["code"] == value), value)
        if key == "data" and isinstance(value, dict):
            # The order's data gathers every step's fields: each is labelled as the last step that set it.
            if not hasattr(self, "_setters"):  # once per page, however many history rows
                self._setters = {k: a for a, fields in self.steps.order_by("seq").values_list("action", "fields") for k in fields}
            setters = self._setters
            return {
                (self.field_spec(k, setters.get(k, "")) or {}).get("label", k): self.field_value(k, v, setters.get(k, ""))
                for k, v in value.items()
                if k != "source"
            }
        return None

    def field_spec(self, name: str, action: str = "") -> dict | None:  # type: ignore[type-arg]
        """A form field's declaration: the action's own when given (转办's 转至单位), else the first one."""
        transitions = sorted(self.spec["transitions"], key=lambda t: t["code"] != action)
        return next((f for t in transitions for f in t.get("fields", []) if f["name"] == name), None)

    def field_value(self, name: str, value: object, action: str = "") -> object:
        """A form value as typed for a reader: a choice by its label, an organisation by its name."""
        spec = self.field_spec(name, action) or {}
        if spec.get("type") == "choice":
            return (spec.get("choices") or {}).get(value, value)
        if spec.get("type") == "org" and value not in (None, ""):
            from regwatch.core.models import Organization

            org = Organization.objects.filter(pk=int(str(value))).first() if str(value).isdecimal() else None
            return org.name if org is not None else value
        return value

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.closed_at is None and self.due_at < timezone.now()


class WorkOrderStep(models.Model):
    """One transition, append-only; its hash also goes to the evidence ledger."""

    scope_region_field = "order__region"

    order = models.ForeignKey(WorkOrder, verbose_name="工单", on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("动作", max_length=40)
    action_name = models.CharField("动作名称", max_length=60)
    from_state = models.CharField("原状态", max_length=40, blank=True)
    to_state = models.CharField("新状态", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人标识", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("意见", blank=True)
    fields = models.JSONField("填报内容", default=dict, blank=True)
    ledger_seq = models.PositiveBigIntegerField("存证序号", null=True, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="step_order_seq")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.seq} {self.action_name}"


class Attachment(models.Model):
    scope_region_field = "order__region"

    order = models.ForeignKey(WorkOrder, verbose_name="工单", on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(
        WorkOrderStep, verbose_name="环节", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="workorders/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小", default=0)
    digest = models.CharField("摘要值", max_length=64)
    algorithm = models.CharField("算法", max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("上传时间", default=timezone.now)
    ledger_seq = models.PositiveBigIntegerField("存证序号", null=True, blank=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    scope_region_field = "order__region"

    order = models.ForeignKey(WorkOrder, verbose_name="工单", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发表人", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("内容")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "评论"
        verbose_name_plural = "评论"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
