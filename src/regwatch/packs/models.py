from __future__ import annotations

from django.db import models


class PackInstall(models.Model):
    """Which version of a pack's manifest is loaded, so loading again is a no-op."""

    name = models.CharField("业务包", max_length=40, unique=True)
    title = models.CharField("名称", max_length=100)
    version = models.CharField("版本", max_length=20)
    checksum = models.CharField("校验值", max_length=64)
    manifest = models.JSONField("清单")
    conflicts = models.JSONField("未解决的冲突", default=list, blank=True, help_text="上次加载时保留的本地修改（业务包定义已变化）")
    loaded_at = models.DateTimeField("加载时间", auto_now=True)

    class Meta:
        verbose_name = "已加载业务包"
        verbose_name_plural = "已加载业务包"

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class SyntheticTruth(models.Model):
    """What the generator knows and the platform must discover (latent risk), for evaluation only."""

    subject = models.OneToOneField("subjects.Subject", on_delete=models.CASCADE, related_name="synthetic_truth")
    latent_risk = models.FloatField()
    labels = models.JSONField(default=dict)

    class Meta:
        verbose_name = "合成数据真值"
        verbose_name_plural = "合成数据真值"

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.latent_risk:.3f}"
