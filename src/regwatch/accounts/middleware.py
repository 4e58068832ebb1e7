from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from regwatch.api.problems import json_problem


class PasswordChangeRequiredMiddleware:
    """A user whose password an administrator chose goes nowhere but the change page until it is theirs.

    Token API calls are untouched: DRF authenticates them inside the view, after this runs,
    so ``request.user`` is anonymous here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (getattr(user, "must_change_password", False) or user.password_expired):
            change = reverse("accounts:password_change")
            allowed = (change, reverse("logout"), settings.STATIC_URL or "/static/", "/healthz", "/readyz")
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    reason = "请先在网页上修改初始密码" if user.must_change_password else "密码已过期，请先在网页上修改密码"
                    return json_problem(request, 403, reason)
                if request.headers.get("HX-Request"):
                    # A polled fragment (the navbar badge) must not swap the change page into itself.
                    return HttpResponse(status=403)
                return redirect(change)
        return self.get_response(request)


def _always_open() -> tuple[str, ...]:
    return (reverse("logout"), settings.STATIC_URL or "/static/", "/healthz", "/readyz")


class OTPRequiredMiddleware:
    """After the password, a user who needs a second factor (``otp.required``) goes nowhere but the
    code page (or the enrolment page, if no authenticator app is set up yet) until the session is verified.

    Token API calls are untouched (DRF authenticates them inside the view, after this runs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import otp

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        verify, setup = reverse("accounts:otp_verify"), reverse("accounts:otp_setup")
        if request.path.startswith((verify, setup, *_always_open())) or not otp.required(user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return json_problem(request, 403, "请先在网页上完成两步验证")
        if request.headers.get("HX-Request"):
            return HttpResponse(status=403)
        return redirect(verify + "?" + urlencode({"next": request.get_full_path()}))


DISPLACED = "您的账号已在其他地方登录"


def remember_session(sender: type, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """Sign-in (``user_logged_in``): with REGWATCH_SINGLE_SESSION this session becomes the user's only one."""
    from .models import ActiveSession

    if not settings.REGWATCH_SINGLE_SESSION or request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key or ""
    ActiveSession.objects.update_or_create(user=user, defaults={"session_key": key, "signed_in_at": timezone.now()})


class SingleSessionMiddleware:
    """With REGWATCH_SINGLE_SESSION, a session that is not its user's latest sign-in is ended on its
    next request, and the login page says why.  Token API calls are not sessions and are untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .models import ActiveSession

        user = getattr(request, "user", None)
        if settings.REGWATCH_SINGLE_SESSION and user is not None and user.is_authenticated:
            current = request.session.session_key
            latest = ActiveSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True).first()
            if latest is not None and current != latest:
                logout(request)  # flushes this session for good
                return self._displaced(request)
        return self.get_response(request)

    def _displaced(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return json_problem(request, 401, DISPLACED)
        login = reverse("login") + "?" + urlencode({"displaced": 1})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = login
            return response
        return redirect(login)


LAST_ACTIVITY = "regwatch_last_activity"
TIMED_OUT = "长时间未操作，已自动退出，请重新登录"


def mark_active(sender: type, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """Signing in is activity: the clock starts with the new session, not with a write on its first page."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class IdleTimeoutMiddleware:
    """Sign a browser session out after ``REGWATCH_SESSION_IDLE_MINUTES`` without activity (等保).

    Background polls (the navbar counters send ``X-Background: 1``) are not activity, or an open
    tab would never time out.  The time is written at most once a minute, so a busy user does not
    cost a session write per request.  Token API calls are not sessions and are untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        idle = settings.REGWATCH_SESSION_IDLE_MINUTES * 60
        if idle and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > idle:
                logout(request)
                return self._timed_out(request)
            if not request.headers.get("X-Background") and (last is None or now - last >= 60):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def _timed_out(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return json_problem(request, 401, TIMED_OUT)
        login = reverse("login") + "?" + urlencode({"timeout": 1, "next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = login
            return response
        return redirect(login)
