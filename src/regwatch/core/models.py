"""Reference data every pack shares: regions, organisations, code dictionaries."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from regwatch.audit.registry import audited

from .fields import EncryptedTextField


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "地市级"
    COUNTY = "county", "区县级"
    TOWNSHIP = "township", "乡镇街道"
    VILLAGE = "village", "村社区"
    GRID = "grid", "网格"


class TreeMixin(models.Model):
    """Materialised path (``/<code>/<code>/``) so a subtree is one indexed prefix match."""

    path = models.CharField("层级路径", max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        parent = getattr(self, "parent", None)
        self.path = f"{parent.path if parent else '/'}{self.code}/"  # type: ignore[attr-defined]
        super().save(*args, **kwargs)


@audited
class Region(TreeMixin):
    """GB/T 2260 administrative divisions, extended by township, village and grid codes."""

    code = models.CharField(
        "区划代码",
        max_length=15,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}){0,3}$", "区划代码应为6位（省市县）、9位（乡镇）、12位（村社区）或15位（网格）数字")],
    )
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    full_name = models.CharField("全称", max_length=255, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.full_name = f"{self.parent.full_name}{self.name}" if self.parent else self.name
        super().save(*args, **kwargs)

    def ancestor(self, level: str) -> Region:
        """This region or the one above it at ``level`` (walks loaded parents; select_related them)."""
        region: Region | None = self
        while region is not None and region.level != level:
            region = region.parent
        if region is None:
            raise ValueError(f"{self} 没有{RegionLevel(level).label}上级")
        return region


@audited
class Organization(TreeMixin):
    """A department or office; its region bounds what its users may see."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "局/委办"
        DEPARTMENT = "department", "内设处室"
        OFFICE = "office", "基层所/站"
        PARTNER = "partner", "外部单位"

    code = models.CharField("机构代码", max_length=32, unique=True)
    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.BUREAU)
    parent = models.ForeignKey("self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="organizations")
    # A contact person's name and number: personal data, SM4 at rest (docs/security.md).
    contact = EncryptedTextField("联系人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


# The roles a dictionary plays for the platform (packs declare ``kind``); other kinds are the pack's own.
DICTIONARY_KINDS = {
    "general": "通用代码表",
    "industry": "行业分类",
    "identifier_scheme": "主体标识类型",
    "record_type": "记录类型",
}


@audited
class Dictionary(models.Model):
    """A typed, versioned code table (GB/T 4754 industries, record types, penalty types...).

    A change to a dictionary's items makes a new version; the old one stays so that
    codes stored under it can still be read.
    """

    code = models.CharField("字典编码", max_length=64)
    name = models.CharField("字典名称", max_length=100)
    kind = models.CharField("类别", max_length=32, default="general")
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    source = models.CharField("来源/标准", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "代码字典"
        verbose_name_plural = "代码字典"
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="dictionary_code_version")]

    def __str__(self) -> str:
        return f"{self.name}（v{self.version}）"


@audited
class DictionaryItem(models.Model):
    dictionary = models.ForeignKey(Dictionary, verbose_name="字典", on_delete=models.CASCADE, related_name="items")
    code = models.CharField("代码", max_length=64)
    name = models.CharField("名称", max_length=200)
    parent_code = models.CharField("上级代码", max_length=64, blank=True)
    sort_order = models.IntegerField("排序", default=0)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "字典项"
        verbose_name_plural = "字典项"
        ordering = ["dictionary", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "code"], name="dictionary_item_code")]

    def __str__(self) -> str:
        return self.name
