"""Following a ``next=`` (or a Referer) only within this site.

Every view that sends the browser to an address the request names goes through ``safe_next``:
another host, a scheme-relative ``//host``, ``/\\host`` (read as ``//host`` by browsers) or a
plain-HTTP address on an HTTPS site falls back to the view's own page (Django's
``url_has_allowed_host_and_scheme``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe(request: HttpRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_next(request: HttpRequest, fallback: str, target: str | None = None) -> str:
    """``target`` (by default the posted or queried ``next``) when it stays on this site, else ``fallback``."""
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe(request, target) else fallback
