"""Account forms: the user form with an initial password, password change and reset."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group

from .models import User
from .roles import role_label


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return role_label(obj.name)


def _check_pair(form: forms.BaseForm, first: str, second: str, user: Any) -> str:
    """The typed password, once both entries match and Django's validators accept it."""
    p1, p2 = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if p1 and p2 and p1 != p2:
        form.add_error(second, "两次输入的密码不一致")
        return ""
    if p1:
        try:
            password_validation.validate_password(p1, user)
        except forms.ValidationError as exc:
            form.add_error(first, exc)
            return ""
    return str(p1 or "")


class UserForm(forms.ModelForm):
    """The generic user form; a new user also gets an initial password, to be changed at first login."""

    groups = RoleChoiceField(
        Group.objects.order_by("name"),
        label="角色",
        required=False,
        widget=forms.SelectMultiple,
        help_text="角色、额外授权区划和全域数据权限只能由安全管理员授予，任何人都不能修改自己的。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["password1"] = forms.CharField(
                label="初始密码",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text="至少10位，不能是常见密码或纯数字；用户首次登录后须修改。",
            )
            self.fields["password2"] = forms.CharField(
                label="确认初始密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.instance.pk:
            self.initial_password = _check_pair(self, "password1", "password2", self.instance)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        if user._state.adding:
            user.set_password(self.initial_password)
            user.must_change_password = True
        if commit:
            user.save()
            self.save_m2m()
        return user


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change, labelled in Chinese; its validators speak the site language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password1"].help_text = "至少10位，不能是常见密码或纯数字，也不能与用户名过于相似。"
        self.fields["new_password2"].label = "确认新密码"
        self.error_messages = {**self.error_messages, "password_incorrect": "当前密码不正确", "password_mismatch": "两次输入的密码不一致"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new = cleaned.get("new_password1")
        if new and new == cleaned.get("old_password") and new == self.data.get("new_password2"):
            # Plainer than the history validator's refusal of the same password (on new_password2).
            self.errors.pop("new_password2", None)
            self.add_error("new_password1", "新密码不能与当前密码相同")
        return cleaned


class ResetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="临时密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="留空则由系统随机生成；用户下次登录后须修改。",
    )
    password2 = forms.CharField(
        label="确认临时密码", required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("password1")) != bool(cleaned.get("password2")):
            self.add_error("password2", "请输入两次相同的临时密码，或两项都留空")
            return cleaned
        self.password = _check_pair(self, "password1", "password2", self.user) or ""
        return cleaned


def random_password() -> str:
    # Letters and digits without look-alikes (0/O, 1/l/I), so it can be read out over the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
