from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check, in Chinese: Django 5.2 changed its message and zh_Hans lost the translation."""

    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要{self.min_length}个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"


class PasswordHistoryValidator:
    """Refuses any of the user's last ``REGWATCH_PASSWORD_HISTORY`` passwords (the current one included).

    Checked against the argon2 hashes in ``PasswordHistory`` and the current hash, never plain text;
    a user not yet saved (``createsuperuser``, a new account) has no history.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None or not settings.REGWATCH_PASSWORD_HISTORY:
            return
        from .models import PasswordHistory, User

        hashes = PasswordHistory.recent(user)
        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if stored and stored not in hashes:
            hashes.append(stored)
        # hashers.check_password, not user.check_password: that one may re-hash and save the user.
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self._message(), code="password_reused")

    def _message(self) -> str:
        return f"不能使用最近{settings.REGWATCH_PASSWORD_HISTORY}次用过的密码，请换一个新密码。"

    def get_help_text(self) -> str:
        return f"不能与最近{settings.REGWATCH_PASSWORD_HISTORY}次用过的密码相同。"
