"""The login page: Django's LoginView with throttling (see ``lockout``) and a CAPTCHA after failures."""

from __future__ import annotations

from typing import Any

from captcha.fields import CaptchaField
from captcha.helpers import captcha_image_url
from captcha.models import CaptchaStore
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import lockout

CAPTCHA_ERROR = "验证码错误，请重新输入图中字符。"


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        if captcha:
            self.fields["captcha"] = CaptchaField(
                label="验证码", error_messages={"invalid": CAPTCHA_ERROR, "required": "请输入验证码。", "incomplete": "请输入验证码。"}
            )

    def clean(self) -> dict[str, Any]:
        # Fields are cleaned before clean(): with a wrong CAPTCHA the password is never tried,
        # so the CAPTCHA cannot be skipped to test passwords.
        if "captcha" in self.fields and self.has_error("captcha"):
            return self.cleaned_data
        return super().clean()


def _locked(request: HttpRequest, block: lockout.Block) -> HttpResponse:
    return render(request, "registration/locked_out.html", {"limit": block}, status=429)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        username = self.request.POST.get("username", "") if self.request.method == "POST" else ""
        kwargs["captcha"] = lockout.captcha_required(username, lockout.client_ip(self.request))
        return kwargs

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username, ip = request.POST.get("username", ""), lockout.client_ip(request)
        block = lockout.blocked(username, ip)
        if block is not None:
            return _locked(request, block)
        form = self.get_form()
        if form.is_valid():
            lockout.record_success(username, ip)
            return self.form_valid(form)
        if form.non_field_errors() and not form.has_error("captcha"):
            # The password was tried and was wrong (or the account is inactive).
            block = lockout.record_failure(username, ip)
            if block is not None:
                return _locked(request, block)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        username = self.request.POST.get("username", "") if self.request.method == "POST" else ""
        if lockout.captcha_required(username, lockout.client_ip(self.request)):
            # A fresh challenge on every render: each one can be answered once.
            key = CaptchaStore.generate_key()
            context["captcha"] = {"key": key, "image_url": captcha_image_url(key)}
        return context
