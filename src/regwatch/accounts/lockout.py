"""Login throttling: per-username-and-address delays, CAPTCHA after failures, per-address rate limit.

One address guessing one account is slowed down by growing delays (never a fixed 30-minute lock
that a stranger could trigger for everybody).  An account attacked from many addresses, or an
address trying many accounts, first has to solve a CAPTCHA; an address that keeps failing is blocked
for a while.  The state lives in the ``login`` cache (Redis in production, a file cache otherwise)
so that every web process and the ``regwatch unlock`` command see the same counters.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.dispatch import Signal

from regwatch.web.clientip import client_ip as client_ip  # the address the counters are kept by

# Sent when an account or an address crosses a threshold, at most once per lock window
# (kwargs: kind "account" | "address", username, ip, failures, minutes).  The notifications app
# turns it into a message to the security administrators.
login_alert = Signal()

DAY = 24 * 3600


@dataclass(frozen=True)
class Limits:
    captcha_after: int = 3  # failures for the username (any address) or from the address
    lock_after: int = 5  # failures for this username from this address before the delays begin
    max_delay_minutes: int = 30
    ip_limit: int = 20  # failures from one address (any usernames) before it is blocked
    ip_block_minutes: int = 15
    account_alert_after: int = 10  # failures for one username, all addresses together
    window_minutes: int = 60  # failures older than this are forgotten (per username, per address)


def limits() -> Limits:
    return Limits(**getattr(settings, "REGWATCH_LOGIN_LIMITS", {}))


def _cache() -> Any:
    return caches["login"]


def _norm(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _pair(username: str, ip: str) -> str:
    return f"{_norm(username)}|{ip}"


def delay_minutes(failures: int, lim: Limits) -> int:
    """Minutes to wait after ``failures`` failures for one username from one address: 0, then 1, 2, 4 … capped."""
    if failures < lim.lock_after:
        return 0
    return int(min(2 ** (failures - lim.lock_after), lim.max_delay_minutes))


@dataclass(frozen=True)
class Block:
    kind: str  # "account" (this username from this address) or "address"
    minutes: int  # whole minutes left, at least 1


def blocked(username: str, ip: str) -> Block | None:
    """Why a login attempt must wait now, or None."""
    now = time.time()
    cache = _cache()
    until = cache.get(f"block:ip:{ip}")
    if until and until > now:
        return Block("address", max(1, math.ceil((until - now) / 60)))
    until = cache.get(f"lock:p:{_pair(username, ip)}")
    if until and until > now:
        return Block("account", max(1, math.ceil((until - now) / 60)))
    return None


def captcha_required(username: str, ip: str) -> bool:
    lim = limits()
    cache = _cache()
    return cache.get(f"fail:u:{_norm(username)}", 0) >= lim.captcha_after or cache.get(f"fail:ip:{ip}", 0) >= lim.captcha_after


def _bump(key: str, timeout: int) -> int:
    cache = _cache()
    count = int(cache.get(key, 0)) + 1
    cache.set(key, count, timeout)
    return count


def _alert_once(kind: str, key: str, window: int, **detail: Any) -> None:
    if _cache().add(f"alert:{kind}:{key}", 1, window):
        login_alert.send(sender=__name__, kind=kind, **detail)


def record_failure(username: str, ip: str) -> Block | None:
    """Count a wrong password; returns the block it starts, if any."""
    lim = limits()
    cache = _cache()
    name = _norm(username)
    window = lim.window_minutes * 60
    user_failures = _bump(f"fail:u:{name}", window)
    ip_failures = _bump(f"fail:ip:{ip}", window)
    pair_failures = _bump(f"fail:p:{_pair(name, ip)}", DAY)
    addresses = set(cache.get(f"ips:{name}", []))
    cache.set(f"ips:{name}", sorted(addresses | {ip})[-100:], DAY)

    block = None
    minutes = delay_minutes(pair_failures, lim)
    if minutes:
        cache.set(f"lock:p:{_pair(name, ip)}", time.time() + minutes * 60, minutes * 60)
        block = Block("account", minutes)
    if ip_failures >= lim.ip_limit:
        cache.set(f"block:ip:{ip}", time.time() + lim.ip_block_minutes * 60, lim.ip_block_minutes * 60)
        block = Block("address", lim.ip_block_minutes)
        _alert_once("address", ip, lim.ip_block_minutes * 60, username=name, ip=ip, failures=ip_failures, minutes=lim.ip_block_minutes)
    if minutes or user_failures >= lim.account_alert_after:
        _alert_once("account", name, window, username=name, ip=ip, failures=user_failures, minutes=minutes)
    return block


def record_success(username: str, ip: str) -> None:
    """The right password from this address clears its own delays; the account-wide count (CAPTCHA) decays by itself."""
    _cache().delete_many([f"fail:p:{_pair(username, ip)}", f"lock:p:{_pair(username, ip)}"])


def unlock_username(username: str) -> None:
    name = _norm(username)
    cache = _cache()
    keys = [f"fail:u:{name}", f"ips:{name}", f"alert:account:{name}"]
    for ip in cache.get(f"ips:{name}", []):
        keys += [f"fail:p:{_pair(name, ip)}", f"lock:p:{_pair(name, ip)}"]
    cache.delete_many(keys)


def unlock_ip(ip: str) -> None:
    _cache().delete_many([f"fail:ip:{ip}", f"block:ip:{ip}", f"alert:address:{ip}"])


def is_locked(username: str) -> bool:
    """Whether this username waits (from some address) or must solve a CAPTCHA: shown on the user page."""
    name = _norm(username)
    cache = _cache()
    if cache.get(f"fail:u:{name}", 0) >= limits().captcha_after:
        return True
    now = time.time()
    return any((cache.get(f"lock:p:{_pair(name, ip)}") or 0) > now for ip in cache.get(f"ips:{name}", []))


def captcha_challenge() -> tuple[str, str]:
    """Four characters without look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)."""
    text = "".join(secrets.choice("ACDEFGHJKMNPQRTUVWXY34679") for _ in range(4))
    return text, text.lower()
