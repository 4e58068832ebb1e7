"""Channels that take an outbox item off the machine: e-mail and HTTP gateways (SMS, IM).

A channel is a function ``send(item)`` that returns when the channel accepted the item and
raises ``ChannelError`` (or any exception) with the reason otherwise.  ``services.deliver``
marks an item sent only after ``send`` returned.  Deployments may replace a channel with
``services.register_channel(code, send)``.

The HTTP gateway protocol (one POST per message, JSON body)::

    {"channel": "sms", "to": "13800000000", "title": "…", "content": "…", "ref": "outbox-42"}

    X-App-Key:   the app key
    X-Timestamp: Unix seconds
    X-Nonce:     32 random hex digits, new for every request
    X-Signature: hex HMAC-SHA256(app secret, timestamp + "\\n" + nonce + "\\n" + body bytes)

Any 2xx answer means accepted.  4xx (other than 408/429) is a refusal and is not retried at
once; timeouts, connection errors, 408, 429 and 5xx are retried ``REGWATCH_GATEWAY_RETRIES``
times with exponential back-off before the attempt counts as failed.  ``ref`` lets a gateway
drop a duplicate when a retried request had in fact arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

LABELS = {"email": "电子邮件", "sms": "短信", "im": "即时消息"}
MEMORY: list[dict[str, Any]] = []  # test mode: what the gateways were given (like Django's mail.outbox)
_RETRYABLE_STATUS = {408, 429}


class ChannelError(Exception):
    """The channel did not accept the item; the message (Chinese) is shown on the outbox page."""


def label(channel: str) -> str:
    return LABELS.get(channel, channel)


def send_email(item: Any) -> None:
    """Django's e-mail backend: SMTP in production, file/console in embedded mode, locmem in tests."""
    message = EmailMessage(subject=item.title, body=item.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[item.address])
    if message.send() != 1:
        raise ChannelError("邮件服务器未接受该邮件")


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}\n{nonce}\n".encode() + body, hashlib.sha256).hexdigest()


def payload(item: Any, channel: str) -> dict[str, Any]:
    return {"channel": channel, "to": item.address, "title": item.title, "content": item.body, "ref": f"outbox-{item.pk}"}


def gateway(channel: str) -> Any:
    """The ``send`` function of the HTTP gateway for ``channel`` ("sms" or "im")."""

    def send(item: Any) -> None:
        conf = settings.REGWATCH_GATEWAYS.get(channel) or {}
        if conf.get("url"):
            post(conf, payload(item, channel))
        else:
            _fallback(channel, payload(item, channel))

    send.__name__ = f"send_{channel}"
    return send


def post(conf: dict[str, str], data: dict[str, Any]) -> None:
    body = json.dumps(data, ensure_ascii=False).encode()
    retries = max(0, int(settings.REGWATCH_GATEWAY_RETRIES))
    backoff = float(settings.REGWATCH_GATEWAY_BACKOFF)
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        # A fresh timestamp and nonce every time: gateways refuse a replayed nonce.
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        request = urllib.request.Request(
            conf["url"],
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-App-Key": conf.get("app_key", ""),
                "X-Timestamp": timestamp,
                "X-Nonce": nonce,
                "X-Signature": sign(conf.get("app_secret", ""), timestamp, nonce, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.REGWATCH_GATEWAY_TIMEOUT) as response:
                response.read()
                return  # urlopen raises HTTPError for every non-2xx status
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:120].decode("utf-8", "replace").strip()
            reason = f"{label(data['channel'])}网关返回 HTTP {exc.code}" + (f"：{detail}" if detail else "")
            if exc.code < 500 and exc.code not in _RETRYABLE_STATUS:
                raise ChannelError(reason) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            why = getattr(exc, "reason", exc)
            reason = f"{label(data['channel'])}网关无法连接：{why}"
    raise ChannelError(f"{reason}（已重试{retries}次）" if retries else reason)


def _fallback(channel: str, data: dict[str, Any]) -> None:
    mode = settings.REGWATCH_GATEWAY_FALLBACK
    if mode == "memory":
        MEMORY.append(data)
    elif mode == "file":
        # Embedded mode: like Django's file e-mail backend, the "gateway" is a local file.
        folder = Path(settings.REGWATCH_OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{channel}.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps({**data, "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n")
    else:
        raise ChannelError(f"未配置{label(channel)}网关（REGWATCH_{channel.upper()}_GATEWAY_URL）")


def defaults() -> dict[str, Any]:
    return {"email": send_email, "sms": gateway("sms"), "im": gateway("im")}
