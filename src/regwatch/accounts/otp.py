"""Two-factor sign-in with a time-based one-time code (TOTP, RFC 6238) from an authenticator app.

django-otp keeps the devices (``TOTPDevice``: the shared secret, the last accepted time step so a
code is never accepted twice, its own per-device throttle) and marks a session verified
(``django_otp.login``; ``request.user.is_verified()`` through ``OTPMiddleware``).  This module
decides who needs it, enrols and verifies with the login throttling of ``lockout``, and lets the
security administrator reset a lost device.  ``middleware.OTPRequiredMiddleware`` enforces it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from regwatch.audit.services import record_access
from regwatch.web.services import require, require_in_scope

from . import lockout
from .models import User

# Who resets another user's device: granting access is the security administrator's (三员分立).
RESET_PERMISSION = "accounts.grant_access"
ENROL_ACTION, RESET_ACTION, DISABLE_ACTION, FAILED_ACTION = "otp_enrol", "otp_reset", "otp_disable", "otp_failed"
ACTION_LABELS = {
    ENROL_ACTION: "启用两步验证",
    RESET_ACTION: "重置两步验证",
    DISABLE_ACTION: "关闭两步验证",
    FAILED_ACTION: "两步验证码错误",
}
WRONG_CODE = "验证码不正确或已过期，请输入验证器应用中当前显示的6位数字。"
THROTTLED = "验证码错误次数较多，请稍候几秒再输入新的验证码。"
BAD_FORMAT = "请输入6位数字验证码。"


def required_by_role(user: Any) -> bool:
    """Whether the user's roles (REGWATCH_OTP_REQUIRED_ROLES) oblige a second factor; superusers count as every role."""
    roles = settings.REGWATCH_OTP_REQUIRED_ROLES
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.groups.filter(name__in=roles).exists()


def required(user: Any) -> bool:
    """Whether a session of ``user`` must be verified: an obliging role, or a device enrolled by choice (one query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = settings.REGWATCH_OTP_REQUIRED_ROLES
    if roles and user.is_superuser:
        return True
    return User.objects.filter(pk=user.pk).filter(Q(groups__name__in=roles) | Q(totpdevice__confirmed=True)).exists()


def device_of(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The device being enrolled: the same secret on every visit until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="验证器应用", confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code, drawn here (nothing is fetched)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#1f2937", light="#ffffff")
    return mark_safe(svg)  # segno's own markup, nothing from the user


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""
    block: lockout.Block | None = None  # the failure started a login block: the session has been ended


def _clean(code: str) -> str:
    return "".join(code.split())


def check_code(request: HttpRequest, device: TOTPDevice, code: str) -> Outcome:
    """Verify ``code`` on ``device`` for the signed-in user; a wrong code counts as a failed login.

    A block already running (or started by this failure) ends the session: the password must be
    typed again after the wait.
    """
    user = request.user
    username, ip = user.get_username(), lockout.client_ip(request)
    block = lockout.blocked(username, ip)
    if block is not None:
        logout(request)
        return Outcome(False, block=block)
    code = _clean(code)
    if not (code.isdigit() and len(code) == device.digits):
        return Outcome(False, BAD_FORMAT)
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return Outcome(False, THROTTLED)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        ok = device.verify_token(code)
    if ok:
        lockout.record_success(username, ip)
        return Outcome(True)
    record_access(FAILED_ACTION, str(user), username=username)
    block = lockout.record_failure(username, ip)
    if block is not None:
        logout(request)
        return Outcome(False, WRONG_CODE, block)
    return Outcome(False, WRONG_CODE)


def verify(request: HttpRequest, code: str) -> Outcome:
    """The second step of signing in: the code of the user's enrolled device marks the session verified."""
    device = device_of(request.user)
    if device is None:
        return Outcome(False, WRONG_CODE)
    outcome = check_code(request, device, code)
    if outcome.ok:
        otp_login(request, device)
    return outcome


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> Outcome:
    """A code from the new device proves the app holds the secret: it replaces any older device."""
    outcome = check_code(request, device, code)
    if outcome.ok:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        otp_login(request, device)
        record_access(ENROL_ACTION, str(request.user), username=request.user.get_username())
    return outcome


def disable_own(request: HttpRequest) -> None:
    """A user whose roles do not require it may switch the second factor off again (from a verified session)."""
    user = request.user
    if required_by_role(user):
        raise PermissionDenied("您的角色须使用两步验证，不能关闭")
    TOTPDevice.objects.filter(user=user).delete()
    record_access(DISABLE_ACTION, str(user), username=user.get_username())


@transaction.atomic
def reset_device(actor: Any, user: User) -> int:
    """Remove ``user``'s devices (a lost phone): they enrol again at their next sign-in; audited."""
    require(actor, RESET_PERMISSION)
    require_in_scope(actor, user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    record_access(RESET_ACTION, str(user), username=user.get_username())
    return int(removed)
