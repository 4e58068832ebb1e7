"""Production settings refuse unsafe starts; embedded settings need nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIELD_KEYS = "k1:MDAwMDAwMDAwMDAwMDAwMA=="  # a well-formed SM4 key for settings checks (16 zero digits, no secret)


def _import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SECRET_KEY", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import regwatch.settings as s; print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE)"],
        env={**clean, "REGWATCH_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_embedded_defaults(tmp_path: Path) -> None:
    result = _import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Asia/Shanghai", "zh-hans"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # generated secret readable by owner only


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, REGWATCH_ENV="production", REGWATCH_DEBUG="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_production_refuses_default_or_short_secret(tmp_path: Path) -> None:
    for secret in ("", "short", "django-insecure-" + "x" * 40):
        result = _import_settings(tmp_path, REGWATCH_ENV="production", SECRET_KEY=secret)
        assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_with_postgres_url_and_secret_starts(tmp_path: Path) -> None:
    result = _import_settings(
        tmp_path,
        REGWATCH_ENV="production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u@db:5432/regwatch",
        REGWATCH_FIELD_KEYS=FIELD_KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_sqlite_writers_queue_for_the_lock_instead_of_failing(db: None) -> None:
    """WAL (readers never wait), IMMEDIATE transactions and a 20 s busy timeout: see docs/operations.md."""
    import pytest
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]


def _production(tmp_path: Path, expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SECRET_KEY", "DATABASE_URL"))}
    base = {"REGWATCH_VAR_DIR": str(tmp_path), "REGWATCH_ENV": "production", "SECRET_KEY": "k" * 50, "REGWATCH_FIELD_KEYS": FIELD_KEYS}
    return subprocess.run(
        [sys.executable, "-c", f"import regwatch.settings as s; print(repr(({expression},)))"],
        env={**clean, **base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_field_keys_or_with_malformed_ones(tmp_path: Path) -> None:
    result = _production(tmp_path, "1", REGWATCH_FIELD_KEYS="")
    assert result.returncode != 0 and "REGWATCH_FIELD_KEYS" in result.stderr
    for bad in ("k1", "k1:not base64!", "k1:" + "QUJD", "K1:MDAwMDAwMDAwMDAwMDAwMA==", f"{FIELD_KEYS},{FIELD_KEYS}"):
        result = _production(tmp_path, "1", REGWATCH_FIELD_KEYS=bad)
        assert result.returncode != 0 and "REGWATCH_FIELD_KEYS" in result.stderr, bad
        assert "MDAwMDAw" not in result.stderr and "QUJD" not in result.stderr  # the message names no key material
    aes = _production(tmp_path, "1", REGWATCH_FIELD_CIPHER="aes256")  # a 16-byte key is no AES-256 key
    assert aes.returncode != 0 and "aes256" in aes.stderr


def test_production_serves_https_only_behind_the_proxy(tmp_path: Path) -> None:
    """TLS ends at the proxy (docs/operations.md): Django trusts its X-Forwarded-Proto, redirects plain HTTP, sends HSTS."""
    expression = (
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE"
    )
    result = _production(tmp_path, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(('HTTP_X_FORWARDED_PROTO', 'https'), True, 31536000, False, True, True)"
    subdomains = _production(tmp_path, "s.SECURE_HSTS_INCLUDE_SUBDOMAINS", REGWATCH_HSTS_INCLUDE_SUBDOMAINS="1")
    assert subdomains.stdout.strip() == "(True,)"
