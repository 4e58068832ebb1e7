"""The cache works on Redis, the production path, when the machine runs one."""

from __future__ import annotations

import os

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS_URL = os.environ.get("REGWATCH_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="no Redis reachable (tests/run.py sets REGWATCH_TEST_REDIS_URL when one answers)")
def test_redis_cache_round_trip_and_expiry() -> None:
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "regwatch-test"})
    cache.set("subject:1", {"grade": "B", "名称": "测试"}, timeout=30)
    assert cache.get("subject:1") == {"grade": "B", "名称": "测试"}
    assert cache.incr("counter", 1) if cache.add("counter", 1) else True
    cache.delete("subject:1")
    assert cache.get("subject:1") is None
