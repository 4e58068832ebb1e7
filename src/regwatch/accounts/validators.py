from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check, in Chinese: Django 5.2 changed its message and zh_Hans lost the translation."""

    def get_error_message(self) -> str:
        return f"密码长度太短，至少需要{self.min_length}个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"
