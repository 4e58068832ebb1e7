from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils import timezone

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
    # When the current password was set, whoever set it: it expires REGWATCH_PASSWORD_MAX_AGE_DAYS later.
    password_changed_at = models.DateTimeField("密码设置时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        # Separate from change_user: the system administrator manages accounts, only the
        # security administrator grants roles, extra regions and scope flags (accounts.services).
        permissions = [("grant_access", "授予角色与数据权限")]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a new password also keeps its hash in the history (``PasswordHistory``), however it was set."""
        new_password = getattr(self, "_password", None) is not None and self.has_usable_password()
        if new_password and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
        super().save(*args, **kwargs)
        if new_password:
            PasswordHistory.remember(self)

    @property
    def password_expires_at(self) -> Any:
        days = settings.REGWATCH_PASSWORD_MAX_AGE_DAYS
        if not days or self.password_changed_at is None or not self.has_usable_password():
            return None
        return self.password_changed_at + datetime.timedelta(days=days)

    @property
    def password_expired(self) -> bool:
        expires = self.password_expires_at
        return expires is not None and expires <= timezone.now()

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


class PasswordHistory(models.Model):
    """The hashes (argon2, as stored on the user; never the password) of a user's recent passwords.

    ``accounts.validators.PasswordHistoryValidator`` refuses a new password matching any of the
    last ``REGWATCH_PASSWORD_HISTORY``; older entries are dropped as new ones arrive.
    """

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码散列", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def recent(cls, user: User) -> list[str]:
        keep = max(settings.REGWATCH_PASSWORD_HISTORY, 1)
        return list(cls.objects.filter(user=user).values_list("password", flat=True)[:keep])

    @classmethod
    def remember(cls, user: User) -> None:
        cls.objects.create(user=user, password=user.password, created_at=user.password_changed_at or timezone.now())
        keep = max(settings.REGWATCH_PASSWORD_HISTORY, 1)
        stale = cls.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        cls.objects.filter(pk__in=list(stale)).delete()


class ActiveSession(models.Model):
    """The one browser session a user may have when ``REGWATCH_SINGLE_SESSION`` is on (latest sign-in wins).

    Kept apart from ``User`` so the session key never enters the user's audited change history.
    """

    user = models.OneToOneField(User, verbose_name="用户", on_delete=models.CASCADE, related_name="active_session")
    session_key = models.CharField("会话", max_length=40)
    signed_in_at = models.DateTimeField("登录时间", default=timezone.now)

    class Meta:
        verbose_name = "当前会话"
        verbose_name_plural = "当前会话"

    def __str__(self) -> str:
        return f"{self.user} · {self.signed_in_at:%Y-%m-%d %H:%M}"
