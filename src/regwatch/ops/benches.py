"""``regwatch bench sm3``: SM3 throughput of the ledger's hash (OpenSSL) against SHA-256 and pure-Python gmssl.

Hashes ``--mb`` megabytes (default 100) in 1 MB chunks, as uploads and ``ledger verify`` do, with
SM3 and with SHA-256 in the same run (the same data, one after the other), and ``--gmssl-mb``
(default 1) with gmssl when it is installed, for the ratio.  Both SM3 digests of the smaller size
are compared, so the figure is for the same function.  It also times SM4-GCM column encryption
(``core.crypto``) of a phone number, the per-value cost of an encrypted field.
"""

from __future__ import annotations

import time
from typing import Any

from regwatch.audit.ledger import CHUNK_SIZE, Hasher
from regwatch.ops.bench import peak_rss_mb, register_bench

MB = 1024 * 1024


def _openssl(chunk: bytes, megabytes: int, algorithm: str = "sm3") -> tuple[float, str]:
    started = time.perf_counter()
    h = Hasher(algorithm)
    for _ in range(megabytes * MB // CHUNK_SIZE):
        h.update(chunk)
    return time.perf_counter() - started, h.hexdigest()


def sm3_bench(opts: dict[str, Any]) -> dict[str, Any]:
    chunk = bytes(range(256)) * (CHUNK_SIZE // 256)
    seconds, _ = _openssl(chunk, opts["mb"])
    figures: dict[str, Any] = {
        "openssl_mb": opts["mb"],
        "openssl_seconds": round(seconds, 3),
        "openssl_mb_per_s": round(opts["mb"] / seconds, 1),
    }
    sha_seconds, _ = _openssl(chunk, opts["mb"], "sha256")
    figures["sha256_seconds"] = round(sha_seconds, 3)
    figures["sha256_mb_per_s"] = round(opts["mb"] / sha_seconds, 1)
    figures["sm3_vs_sha256"] = round(sha_seconds / seconds, 2)  # below 1: SM3 is slower
    figures.update(_field_encryption(opts["values"]))
    try:
        from gmssl import func, sm3
    except ImportError:
        figures["gmssl"] = "not installed"
    if opts["gmssl_mb"] > 0 and "gmssl" not in figures:
        started = time.perf_counter()
        reference = sm3.sm3_hash(func.bytes_to_list(chunk * opts["gmssl_mb"]))
        gm_seconds = time.perf_counter() - started
        assert reference == _openssl(chunk, opts["gmssl_mb"])[1], "gmssl and OpenSSL disagree on SM3"
        figures["gmssl_mb"] = opts["gmssl_mb"]
        figures["gmssl_seconds"] = round(gm_seconds, 3)
        figures["gmssl_mb_per_s"] = round(opts["gmssl_mb"] / gm_seconds, 3)
        figures["speedup"] = round(figures["openssl_mb_per_s"] / figures["gmssl_mb_per_s"])
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def _field_encryption(count: int) -> dict[str, Any]:
    from regwatch.core import crypto

    ring = crypto.Keyring([crypto.Key("bench", bytes(range(16)))])
    started = time.perf_counter()
    for n in range(count):
        crypto.decrypt(crypto.encrypt(f"138{n:08d}", "accounts_user", "phone", ring), "accounts_user", "phone", ring)
    seconds = time.perf_counter() - started
    return {"sm4_gcm_values": count, "sm4_gcm_us_per_round_trip": round(seconds / count * 1e6, 1)}


register_bench(
    "sm3",
    sm3_bench,
    "SM3 摘要速度（OpenSSL 对比 SHA-256 与纯 Python gmssl）及 SM4-GCM 字段加解密耗时",
    arguments=[
        ("--mb", {"type": int, "default": 100}),
        ("--gmssl-mb", {"type": int, "default": 1}),
        ("--values", {"type": int, "default": 100_000}),
    ],
)
