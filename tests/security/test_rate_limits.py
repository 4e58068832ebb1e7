"""Every API call is rate-limited: per account, and per address for anonymous callers (api/throttling.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from regwatch.api.throttling import AnonymousRateThrottle, ClientRateThrottle


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    caches["login"].clear()  # where the API counts live, beside the login counters
    yield
    caches["login"].clear()


def _assert_problem_429(response: Any) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["status"] == 429 and body["title"] == "请求过于频繁"
    assert body["detail"] == f"请求过于频繁，请在 {response['Retry-After']} 秒后重试"
    assert body["retry_after"] == int(response["Retry-After"])


@override_settings(REGWATCH_API_RATE="3/min")
def test_a_token_client_over_its_rate_gets_429_problem_json_and_others_are_not_affected(inspector: Any, api_client_user: Any) -> None:
    token = Token.objects.get_or_create(user=inspector)[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert [client.get("/api/v1/subjects/").status_code for _ in range(3)] == [200, 200, 200]
    _assert_problem_429(client.get("/api/v1/subjects/"))
    _assert_problem_429(client.get("/api/v1/workorders/orders/"))  # one budget for the account, across endpoints
    other = Token.objects.get_or_create(user=api_client_user)[0].key
    assert Client(HTTP_AUTHORIZATION=f"Token {other}").get("/api/v1/subjects/").status_code == 200


@override_settings(REGWATCH_API_RATE="2/min")
def test_a_browser_session_calling_the_api_is_limited_per_account(inspector: Any) -> None:
    client = Client()
    client.force_login(inspector)
    assert [client.get("/api/v1/subjects/").status_code for _ in range(2)] == [200, 200]
    _assert_problem_429(client.get("/api/v1/subjects/"))
    assert client.get("/subjects/").status_code == 200  # the pages are not the API


@override_settings(REGWATCH_API_ANON_RATE="3/min", REGWATCH_API_RATE="100/min")
def test_anonymous_calls_and_wrong_tokens_are_limited_per_address(inspector: Any) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    answers = [
        stranger.get("/api/v1/subjects/").status_code,
        stranger.get("/api/v1/subjects/", HTTP_AUTHORIZATION="Token " + "f" * 40).status_code,
        stranger.get("/api/v1/workorders/orders/").status_code,
    ]
    assert answers == [401, 401, 401]
    _assert_problem_429(stranger.get("/api/v1/subjects/", HTTP_AUTHORIZATION="Token " + "e" * 40))
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/subjects/").status_code == 401  # another address has its own count
    token = Token.objects.get_or_create(user=inspector)[0].key
    # A valid token from the same address is counted per account, not per address.
    assert stranger.get("/api/v1/subjects/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


@override_settings(REGWATCH_API_ANON_RATE="1/min", REGWATCH_TRUSTED_PROXIES=["10.0.0.5"])
def test_behind_the_proxy_the_anonymous_count_is_per_forwarded_client(world: None) -> None:
    proxy = Client(REMOTE_ADDR="10.0.0.5")
    assert proxy.get("/api/v1/subjects/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 401
    _assert_problem_429(proxy.get("/api/v1/subjects/", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert proxy.get("/api/v1/subjects/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 401


def _api_views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _api_views(p.url_patterns, route)
        elif isinstance(p, URLPattern) and route.startswith("api/"):
            yield route, p.callback


def test_every_api_route_is_throttled(world: None) -> None:
    routes = list(_api_views(get_resolver().url_patterns))
    assert len(routes) > 20
    unthrottled = []
    for route, callback in routes:
        inner = getattr(callback, "__wrapped__", callback)  # login_required(…) around the Swagger page
        view = getattr(callback, "cls", None) or getattr(inner, "cls", None) or getattr(inner, "view_class", None)
        if view is None or not issubclass(view, APIView):
            unthrottled.append(route)
            continue
        if not {ClientRateThrottle, AnonymousRateThrottle} <= {type(t) for t in view().get_throttles()}:
            unthrottled.append(route)
    assert not unthrottled, unthrottled
