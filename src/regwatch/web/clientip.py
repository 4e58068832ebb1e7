"""The client's address, behind the production proxy too (``REGWATCH_TRUSTED_PROXIES``, docs/operations.md)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in settings.REGWATCH_TRUSTED_PROXIES if n.strip()]


def _trusted(ip: str, networks: list[Any]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in n for n in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind a trusted proxy the first untrusted hop of X-Forwarded-For.

    X-Forwarded-For is read only when the direct peer is a trusted proxy, and from the right: every
    proxy appends the address it saw, so entries left of the last untrusted one may be forged.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage from the client: fall back to the proxy, which is still one key
    return hops[0] if hops else remote
