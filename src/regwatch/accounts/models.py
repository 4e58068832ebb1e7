from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Group
from django.db import models

from regwatch.audit.registry import audited
from regwatch.core.fields import EncryptedTextField


@audited
class User(AbstractUser):
    """A person or API client, bound to an organisation whose region bounds what it sees."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField("手机号", max_length=20, blank=True)  # SM4 at rest (docs/security.md)
    extra_regions = models.ManyToManyField(
        "core.Region",
        verbose_name="额外授权区划",
        blank=True,
        related_name="+",
        help_text="在本机构区划之外另行授权可见的区划（含下级）。",
    )
    # Redeclared only to be named 角色 wherever Django names the field (the change history).
    groups = models.ManyToManyField(  # type: ignore[assignment]
        Group, verbose_name="角色", blank=True, related_name="user_set", related_query_name="user", help_text="用户所担任的角色。"
    )
    scope_all = models.BooleanField("全域数据权限", default=False, help_text="可查看全部区划的数据。")
    # Set when an administrator chooses the password (creation, reset): only its owner should know it.
    must_change_password = models.BooleanField("须修改密码", default=False, help_text="下次登录后须先修改密码。")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        # Separate from change_user: the system administrator manages accounts, only the
        # security administrator grants roles, extra regions and scope flags (accounts.services).
        permissions = [("grant_access", "授予角色与数据权限")]

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


class ListPreference(models.Model):
    """How one user likes one generic list, kept on the server so it follows them to any browser.

    The hidden columns are stored rather than the shown ones, so a column added later shows up.
    """

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="list_preferences")
    list_slug = models.CharField("列表", max_length=60)
    hidden_columns = models.JSONField("隐藏的列", default=list, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "列表偏好"
        verbose_name_plural = "列表偏好"
        constraints = [models.UniqueConstraint(fields=["user", "list_slug"], name="list_preference_user_list")]

    def __str__(self) -> str:
        return f"{self.user} · {self.list_slug}"
