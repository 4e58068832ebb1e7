from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from regwatch.web.clientip import client_ip

from .context import Actor, acting_as


class AuditContextMiddleware:
    """Binds the signed-in user to audit events written while serving the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # DRF sets request.user on the Django request when it authenticates a token client.
        actor = Actor(get_user=lambda: getattr(request, "user", None), label="anonymous", ip=client_ip(request))
        with acting_as(actor):
            return self.get_response(request)
