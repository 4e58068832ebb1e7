"""Own password change and an administrator's password reset."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from regwatch.web.forms import style_form
from regwatch.web.registry import for_model
from regwatch.web.services import require

from . import otp
from .forms import OwnPasswordForm, ResetPasswordForm
from .middleware import remember_session
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
        update_session_auth_hash(request, user)  # stay signed in with the new password (a new session key)
        remember_session(User, request, user)
        messages.success(request, "密码已修改")
        return redirect("web:home")
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "forced": user.must_change_password,
        "expired": not user.must_change_password and user.password_expired,
        "max_age_days": settings.REGWATCH_PASSWORD_MAX_AGE_DAYS,
    }
    return render(request, "accounts/password_change.html", context, status=status)


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


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, outcome: otp.Outcome) -> HttpResponse:
    return render(request, "registration/locked_out.html", {"limit": outcome.block}, status=429)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the 6-digit code from the authenticator app."""
    device = otp.device_of(request.user)
    if device is None:
        return redirect(reverse("accounts:otp_setup") + "?" + urlencode({"next": _next(request)}))
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        outcome = otp.verify(request, request.POST.get("code", ""))
        if outcome.block is not None:
            return _locked(request, outcome)
        if outcome.ok:
            return redirect(_next(request))
        error = outcome.error
    context = {"error": error, "next": _next(request), "bare_page": True}
    return render(request, "accounts/otp_verify.html", context, status=400 if error else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a code.

    A user who already has one must first prove it (a verified session) before replacing it,
    or the second factor could be swapped with the password alone.
    """
    user = request.user
    enrolled = otp.device_of(user)
    verified = user.is_verified()  # type: ignore[union-attr]
    if enrolled is not None and not verified:
        return redirect(reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()}))
    obliged = otp.required_by_role(user)
    if enrolled is not None and request.method == "GET" and not request.GET.get("renew"):
        return render(request, "accounts/otp_status.html", {"device": enrolled, "obliged": obliged})
    device = otp.pending_device(user)
    error = ""
    if request.method == "POST":
        outcome = otp.confirm_enrolment(request, device, request.POST.get("code", ""))
        if outcome.block is not None:
            return _locked(request, outcome)
        if outcome.ok:
            messages.success(request, "两步验证已启用，以后登录时请输入验证器应用中的6位验证码。")
            return redirect(_next(request))
        error = outcome.error
    context = {
        "device": device,
        "qr": otp.qr_svg(device),
        "secret": otp.secret(device),
        "error": error,
        "next": _next(request),
        "obliged": obliged,
        "renewing": enrolled is not None,
        "bare_page": not verified,
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["POST"])
def otp_disable(request: HttpRequest) -> HttpResponse:
    if otp.device_of(request.user) is None:
        messages.info(request, "您尚未启用两步验证")
        return redirect("accounts:otp_setup")
    if not request.user.is_verified():  # type: ignore[union-attr]
        raise PermissionDenied("请先完成两步验证")
    otp.disable_own(request)
    messages.success(request, "两步验证已关闭")
    return redirect("accounts:otp_setup")


@login_required
@require_http_methods(["POST"])
def otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """The security administrator removes a user's authenticator app (a lost phone); they enrol again at next sign-in."""
    target = get_object_or_404(visible(User.objects.all(), request.user), pk=pk)
    otp.reset_device(request.user, target)
    messages.success(request, f"已重置{target}的两步验证，该用户下次登录时须重新绑定验证器应用")
    otype = for_model(User)
    assert otype is not None
    return redirect(otype.url("detail", target))
