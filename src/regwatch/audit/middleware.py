from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from regwatch.web.clientip import client_ip

from .context import Actor, acting_as
from .services import record_api_call

API_PREFIX = "/api/v1/"


class AuditContextMiddleware:
    """Binds the signed-in user to audit events written while serving the request, and logs each
    call of the REST API once (client, endpoint, status, rows), whatever view answered it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # DRF sets request.user on the Django request when it authenticates a token client.
        actor = Actor(get_user=lambda: getattr(request, "user", None), label="anonymous", ip=client_ip(request))
        with acting_as(actor):
            response = self.get_response(request)
            if request.path.startswith(API_PREFIX):
                record_api_call(request, response)
            return response
