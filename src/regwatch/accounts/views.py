"""Own password change and an administrator's password reset."""

from __future__ import annotations

import ipaddress

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from regwatch.web.forms import style_form
from regwatch.web.registry import for_model
from regwatch.web.services import require

from .forms import OwnPasswordForm, ResetPasswordForm
from .models import User
from .scope import visible
from .services import change_own_password, reset_password, unlock_login


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = style_form(OwnPasswordForm(user, request.POST if request.method == "POST" else None))
    if request.method == "POST" and form.is_valid():
        change_own_password(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay signed in with the new password
        messages.success(request, "密码已修改")
        return redirect("web:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form, "forced": user.must_change_password}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.change_user")
    target = get_object_or_404(visible(User.objects.all(), request.user), pk=pk)
    form = ResetPasswordForm(request.POST if request.method == "POST" else None, user=target)
    style_form(form)
    otype = for_model(User)
    if request.method == "POST" and form.is_valid():
        password = reset_password(request.user, target, form.password)
        # Shown once, on this response only (never stored, never in a message or the log).
        return render(request, "accounts/password_reset_done.html", {"target": target, "password": password, "otype": otype})
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form, "target": target, "otype": otype}, status=status)


@login_required
@require_http_methods(["POST"])
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the login delays and CAPTCHA of a user (from every address); an address too if one is typed."""
    target = get_object_or_404(visible(User.objects.all(), request.user), pk=pk)
    ip = request.POST.get("ip", "").strip()
    if ip and not _is_ip(ip):
        messages.error(request, "IP地址格式不正确")
    else:
        unlock_login(request.user, target, ip)
        messages.success(request, f"已解除{target}的登录限制" + (f"及IP {ip}的登录封禁" if ip else ""))
    otype = for_model(User)
    assert otype is not None
    return redirect(otype.url("detail", target))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
