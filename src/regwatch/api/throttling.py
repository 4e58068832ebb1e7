"""Rate limits on every API call (docs/security.md, "Hygiene").

- A signed-in caller (a token client or a browser session) may make ``REGWATCH_API_RATE`` calls
  (default 6000/min), counted per account, so every API client has its own budget.
- An anonymous caller may make ``REGWATCH_API_ANON_RATE`` calls (default 60/min), counted per
  client address (``web.clientip``: behind the proxy, the address it forwarded).  DRF checks
  throttles after permissions, so a call refused with 401 (no or a wrong token) would never reach
  them: ``problems.exception_handler`` counts those calls here too, and answers 429 once the
  address is over its rate — guessing tokens is limited like any other anonymous call.

Over the limit the answer is 429, a problem document in Chinese with ``Retry-After``.  The counts
live with the login counters (the ``login`` cache: Redis in production, else files), which every
web worker shares — a per-process cache would multiply each rate by the number of workers.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from regwatch.web.clientip import client_ip


class _SharedCounts(SimpleRateThrottle):
    def __init__(self) -> None:
        self.cache = caches["login"]
        super().__init__()


class ClientRateThrottle(_SharedCounts):
    """Per account, for signed-in callers only."""

    scope = "user"

    def get_rate(self) -> str | None:
        return str(settings.REGWATCH_API_RATE) or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AnonymousRateThrottle(_SharedCounts):
    """Per client address, for anonymous callers only."""

    scope = "anon"

    def get_rate(self) -> str | None:
        return str(settings.REGWATCH_API_ANON_RATE) or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "_user", None)  # not request.user: it would authenticate again
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def retry_detail(wait: float | None) -> str:
    return f"请求过于频繁，请在 {math.ceil(wait)} 秒后重试" if wait else "请求过于频繁，请稍后重试"


def refused_caller(exc: Exception, context: dict[str, Any]) -> Exception:
    """A 401 counts against the caller's address; over the anonymous rate it becomes a 429."""
    request, view = context.get("request"), context.get("view")
    if request is None or not isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return exc
    throttle = AnonymousRateThrottle()
    if throttle.allow_request(request, view):  # type: ignore[arg-type]
        return exc
    return exceptions.Throttled(wait=throttle.wait())
