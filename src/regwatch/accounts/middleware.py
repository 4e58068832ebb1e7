from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
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
