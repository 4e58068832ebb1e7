from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from regwatch.audit.registry import audited


@audited
class User(AbstractUser):
    """A person or API client, bound to an organisation whose region bounds what it sees."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    extra_regions = models.ManyToManyField(
        "core.Region",
        verbose_name="额外授权区划",
        blank=True,
        related_name="+",
        help_text="在本机构区划之外另行授权可见的区划（含下级）。",
    )
    scope_all = models.BooleanField("全域数据权限", default=False, help_text="可查看全部区划的数据。")
    # Set when an administrator chooses the password (creation, reset): only its owner should know it.
    must_change_password = models.BooleanField("须修改密码", default=False, help_text="下次登录后须先修改密码。")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_names(self) -> list[str]:
        from .roles import role_label

        return [role_label(g.name) for g in self.groups.all()]

    @property
    def roles(self) -> str:
        return "、".join(self.role_names)

    roles.fget.label = "角色"  # type: ignore[attr-defined]
