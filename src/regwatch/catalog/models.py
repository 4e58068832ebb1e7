"""数据目录: datasets (one per record type, plus subject registration) and their fields."""

from __future__ import annotations

from django.db import models

from regwatch.audit.registry import audited
from regwatch.core.masking import MaskKind


class Sensitivity(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    SENSITIVE = "sensitive", "敏感"


class Sharing(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


@audited
class Dataset(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    pack = models.CharField("业务包", max_length=40, blank=True)
    category = models.CharField("类别", max_length=40, blank=True)
    definition = models.TextField("业务定义", blank=True)
    owner = models.CharField("责任部门", max_length=200, blank=True)
    frequency = models.CharField("更新频率", max_length=100, blank=True)
    sources = models.CharField("数据来源", max_length=255, blank=True)
    sensitivity = models.CharField("敏感级别", max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    sharing = models.CharField("共享级别", max_length=15, choices=Sharing.choices, default=Sharing.CONDITIONAL)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据目录"
        ordering = ["pack", "category", "code"]

    def __str__(self) -> str:
        return self.name


@audited
class DatasetField(models.Model):
    dataset = models.ForeignKey(Dataset, verbose_name="数据集", on_delete=models.CASCADE, related_name="dataset_fields")
    name = models.CharField("字段名", max_length=64)
    label = models.CharField("中文名", max_length=100)
    type = models.CharField("类型", max_length=20, default="text")
    dictionary = models.CharField("代码表", max_length=64, blank=True)
    required = models.BooleanField("必填", default=False)
    definition = models.CharField("业务定义", max_length=255, blank=True)
    source_columns = models.CharField("来源列", max_length=255, blank=True, help_text="当前映射中对应的来源列")
    sensitivity = models.CharField("敏感级别", max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    # How a sensitive field is masked on every output (``web.masking``); blank: guessed from the name.
    masking = models.CharField(
        "脱敏方式",
        max_length=10,
        choices=MaskKind.choices,
        blank=True,
        help_text="敏感字段在页面、导出和接口中的脱敏方式；留空时按字段名推断",
    )

    identifier_fields = ("name",)  # the field's technical name, next to its 中文名

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["dataset", "id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="catalog_field_unique")]

    def __str__(self) -> str:
        return f"{self.dataset.name}.{self.label}"
