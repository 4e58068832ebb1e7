"""The indicator library (指标库): what is measured, how, from which data, for whom."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from regwatch.audit.context import current_actor
from regwatch.audit.registry import audited
from regwatch.packs.tracking import PackOwned


@audited
class Indicator(PackOwned):
    pack_fields = (
        "name",
        "category",
        "definition",
        "data_source",
        "calculation",
        "unit",
        "update_frequency",
        "owner_department",
        "subject_kinds",
        "industries",
        "enabled",
    )

    pack = models.CharField("业务包", max_length=40, db_index=True)
    code = models.CharField("编码", max_length=40)
    name = models.CharField("名称", max_length=100)
    category = models.CharField("指标分类", max_length=40, db_index=True)
    definition = models.TextField("指标含义", blank=True)
    data_source = models.CharField("数据来源", max_length=200, blank=True)
    calculation = models.JSONField("计算口径", default=dict)
    unit = models.CharField("单位", max_length=20, blank=True)
    update_frequency = models.CharField("更新频率", max_length=20, blank=True)
    owner_department = models.CharField("责任部门", max_length=100, blank=True)
    subject_kinds = models.JSONField("适用主体类型", default=list, blank=True)
    industries = models.JSONField("适用行业", default=list, blank=True)
    enabled = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "风险指标"
        verbose_name_plural = "风险指标"
        ordering = ["pack", "category", "code"]
        constraints = [models.UniqueConstraint(fields=["pack", "code"], name="indicator_pack_code")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Validate; a changed definition becomes a new version (kept in IndicatorVersion)."""
        self.clean()
        old = Indicator.objects.filter(pk=self.pk).first() if self.pk else None
        changed = old is None or old.spec_dict() != self.spec_dict()
        if old is not None and changed:
            self.version = old.version + 1
        super().save(*args, **kwargs)
        if changed:
            user = current_actor().user
            IndicatorVersion.objects.update_or_create(
                indicator=self,
                version=self.version,
                defaults={"spec": self.spec_dict(), "created_by": user if getattr(user, "is_authenticated", False) else None},
            )

    def clean(self) -> None:
        """The calculation must be a valid declarative spec (forms show the Chinese message)."""
        from django.core.exceptions import ValidationError
        from pydantic import ValidationError as SpecError

        from . import expr
        from .spec import ExpressionCalc, IndicatorSpec

        try:
            spec = IndicatorSpec.model_validate(self.spec_dict())
            if isinstance(spec.calc, ExpressionCalc):
                others = set(Indicator.objects.filter(pack=self.pack).exclude(code=self.code).values_list("code", flat=True))
                expr.check(spec.calc.expr, others)
        except (SpecError, ValueError) as exc:
            errors = exc.errors() if isinstance(exc, SpecError) else [{"msg": str(exc)}]
            raise ValidationError({"calculation": "；".join(str(e["msg"]).removeprefix("Value error, ") for e in errors)}) from exc

    def spec_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "definition": self.definition,
            "data_source": self.data_source,
            "unit": self.unit,
            "update_frequency": self.update_frequency,
            "owner_department": self.owner_department,
            "subject_kinds": self.subject_kinds,
            "industries": self.industries,
            "enabled": self.enabled,
            "calc": self.calculation,
        }


class IndicatorVersion(models.Model):
    """Every change of an indicator's definition is kept; runs pin the definitions they used."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    spec = models.JSONField("定义")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "指标版本"
        verbose_name_plural = "指标版本"
        ordering = ["indicator", "-version"]
        constraints = [models.UniqueConstraint(fields=["indicator", "version"], name="indicator_version_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.name} v{self.version}"
