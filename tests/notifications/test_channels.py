"""The HTTP gateway against a real HTTP server on 127.0.0.1, signatures, fallbacks, REGWATCH_EMAIL_URL."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from regwatch.notifications import channels, services
from regwatch.notifications.email_url import parse_email_url
from regwatch.notifications.models import OutboxItem

SECRET = "s3cret-密钥"


class Gateway:
    """A local SMS gateway: answers with the queued statuses in turn (then 200) and keeps every request."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                answer = b'{"code":0}' if status < 300 else "签名错误".encode() if status == 401 else b"busy"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verified(self, request: dict[str, Any]) -> bool:
        h = request["headers"]
        expected = hmac.new(SECRET.encode(), f"{h['X-Timestamp']}\n{h['X-Nonce']}\n".encode() + request["body"], hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, h["X-Signature"]) and h["X-App-Key"] == "regwatch-app"


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    gw = Gateway()
    gw.thread.start()
    settings.REGWATCH_GATEWAYS = {"sms": {"url": gw.url, "app_key": "regwatch-app", "app_secret": SECRET}}
    settings.REGWATCH_GATEWAY_BACKOFF = 0
    yield gw
    gw.server.shutdown()
    gw.server.server_close()


@pytest.fixture
def with_phone(inspector: Any) -> Any:
    inspector.phone = "13800000000"
    inspector.save()
    return inspector


def _overdue(user: Any) -> None:
    services.notify([user], "order_overdue", {"number": "GD2026", "title": "某餐饮店后厨整改", "state": "处置中", "due": "11-30"})


def test_gateway_rejects_then_accepts_across_attempts(gateway: Gateway, with_phone: Any, settings: Any) -> None:
    settings.REGWATCH_GATEWAY_RETRIES = 0
    gateway.statuses = [503]
    _overdue(with_phone)
    now = timezone.now()
    assert services.deliver(now=now) == 0
    item = OutboxItem.objects.get()
    assert item.status == "failed" and item.attempts == 1 and "HTTP 503" in item.error and item.sent_at is None
    assert services.deliver(now=now + dt.timedelta(seconds=59)) == 0 and len(gateway.requests) == 1  # backing off
    assert services.deliver(now=now + dt.timedelta(minutes=1)) == 1
    item.refresh_from_db()
    assert item.status == "sent" and item.attempts == 2 and item.error == ""
    assert len(gateway.requests) == 2 and all(gateway.verified(r) for r in gateway.requests)
    sent = json.loads(gateway.requests[-1]["body"])
    assert sent == {"channel": "sms", "to": "13800000000", "title": "工单已超期：GD2026", "content": item.body, "ref": f"outbox-{item.pk}"}
    assert gateway.requests[0]["headers"]["X-Nonce"] != gateway.requests[1]["headers"]["X-Nonce"]


def test_gateway_retries_within_one_attempt_with_a_fresh_signature(gateway: Gateway, with_phone: Any, settings: Any) -> None:
    settings.REGWATCH_GATEWAY_RETRIES = 2
    gateway.statuses = [500, 429]
    _overdue(with_phone)
    assert services.deliver() == 1
    item = OutboxItem.objects.get()
    assert item.status == "sent" and item.attempts == 1
    assert len(gateway.requests) == 3 and all(gateway.verified(r) for r in gateway.requests)
    assert len({r["headers"]["X-Nonce"] for r in gateway.requests}) == 3


def test_gateway_refusal_is_not_retried_at_once_and_shows_the_reason(gateway: Gateway, with_phone: Any, settings: Any) -> None:
    settings.REGWATCH_GATEWAY_RETRIES = 3
    gateway.statuses = [401]
    _overdue(with_phone)
    assert services.deliver() == 0
    item = OutboxItem.objects.get()
    assert len(gateway.requests) == 1 and item.status == "failed" and item.error == "短信网关返回 HTTP 401：签名错误"


def test_a_signature_made_with_another_secret_does_not_verify(gateway: Gateway, with_phone: Any, settings: Any) -> None:
    settings.REGWATCH_GATEWAYS = {"sms": {"url": gateway.url, "app_key": "regwatch-app", "app_secret": "wrong"}}
    _overdue(with_phone)
    services.deliver()
    assert len(gateway.requests) == 1 and not gateway.verified(gateway.requests[0])


def test_unreachable_gateway_is_a_failure_with_reason(with_phone: Any, settings: Any) -> None:
    settings.REGWATCH_GATEWAYS = {"sms": {"url": "http://127.0.0.1:9/send", "app_key": "k", "app_secret": "s"}}
    settings.REGWATCH_GATEWAY_RETRIES, settings.REGWATCH_GATEWAY_BACKOFF = 1, 0
    _overdue(with_phone)
    assert services.deliver() == 0
    item = OutboxItem.objects.get()
    assert item.status == "failed" and item.error.startswith("短信网关无法连接") and "已重试1次" in item.error


def test_without_a_gateway_production_records_a_failure_and_embedded_mode_writes_a_file(
    with_phone: Any, settings: Any, tmp_path: Any
) -> None:
    settings.REGWATCH_GATEWAYS = {}
    settings.REGWATCH_GATEWAY_FALLBACK = ""
    _overdue(with_phone)
    services.deliver()
    item = OutboxItem.objects.get()
    assert item.status == "failed" and item.error == "未配置短信网关（REGWATCH_SMS_GATEWAY_URL）"
    settings.REGWATCH_GATEWAY_FALLBACK, settings.REGWATCH_OUTBOX_DIR = "file", tmp_path
    assert services.deliver(now=timezone.now() + dt.timedelta(hours=1)) == 1
    (line,) = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["to"] == "13800000000"


def test_email_url_forms() -> None:
    assert parse_email_url("smtp+tls://robot%40gov.cn:p%40ss@mail.gov.cn") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "robot@gov.cn",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    assert parse_email_url("smtps://mail.gov.cn")["EMAIL_PORT"] == 465
    assert parse_email_url("smtp://mail.gov.cn:2525")["EMAIL_PORT"] == 2525
    assert parse_email_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert parse_email_url("file:/var/lib/regwatch/mail")["EMAIL_FILE_PATH"] == "/var/lib/regwatch/mail"
    for bad in ["http://mail.gov.cn", "smtp://", "smtp://mail.gov.cn:99999", "file:", ""]:
        with pytest.raises(ValueError, match="REGWATCH_EMAIL_URL"):
            parse_email_url(bad)


@given(st.text(max_size=60))
def test_email_url_either_parses_or_says_what_is_wrong(url: str) -> None:
    try:
        config = parse_email_url(url)
    except ValueError as exc:
        assert "REGWATCH_EMAIL_URL" in str(exc)
    else:
        assert config["EMAIL_BACKEND"].startswith("django.core.mail.backends.")


def test_channel_labels_are_chinese() -> None:
    assert [channels.label(c) for c in ("email", "sms", "im")] == ["电子邮件", "短信", "即时消息"]


def _settings_of(tmp_path: Any, **env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWATCH_", "SECRET_KEY", "DATABASE_URL"))}
    code = (
        "import json, regwatch.settings as s; print(json.dumps({'backend': getattr(s, 'EMAIL_BACKEND', ''), "
        "'host': getattr(s, 'EMAIL_HOST', ''), 'sms': s.REGWATCH_GATEWAYS['sms'], 'fallback': s.REGWATCH_GATEWAY_FALLBACK}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, "REGWATCH_VAR_DIR": str(tmp_path), **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_channels_are_configured_from_the_environment(tmp_path: Any) -> None:
    embedded = _settings_of(tmp_path)
    assert embedded["backend"].endswith("filebased.EmailBackend") and embedded["fallback"] == "file"
    configured = _settings_of(
        tmp_path,
        REGWATCH_EMAIL_URL="smtp+tls://robot:pw@mail.gov.cn:587",
        REGWATCH_SMS_GATEWAY_URL="https://sms.gov.cn/send",
        REGWATCH_SMS_APP_KEY="k",
        REGWATCH_SMS_APP_SECRET="s",
    )
    assert configured["backend"].endswith("smtp.EmailBackend") and configured["host"] == "mail.gov.cn"
    assert configured["sms"] == {"url": "https://sms.gov.cn/send", "app_key": "k", "app_secret": "s"}
    production = _settings_of(tmp_path, REGWATCH_ENV="production", SECRET_KEY="x" * 50, REGWATCH_FIELD_KEYS="k1:MDAwMDAwMDAwMDAwMDAwMA==")
    assert production["backend"] == "" and production["fallback"] == ""  # Django's SMTP default; no silent sink
