from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

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
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            change = reverse("accounts:password_change")
            allowed = (change, reverse("logout"), settings.STATIC_URL or "/static/", "/healthz", "/readyz")
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    return json_problem(request, 403, "请先在网页上修改初始密码")
                if request.headers.get("HX-Request"):
                    # A polled fragment (the navbar badge) must not swap the change page into itself.
                    return HttpResponse(status=403)
                return redirect(change)
        return self.get_response(request)


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
