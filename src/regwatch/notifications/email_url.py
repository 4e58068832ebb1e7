"""``REGWATCH_EMAIL_URL`` → Django e-mail settings (read by settings.py; no Django imports here).

smtp://user:pass@mail.example.cn:25      plain SMTP
smtp+tls://user:pass@mail.example.cn:587 STARTTLS
smtps://user:pass@mail.example.cn:465    SMTP over TLS
console:                                 print each mail (development)
file:/var/lib/regwatch/mail              one file per mail
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
_DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}


def parse_email_url(url: str) -> dict[str, Any]:
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unbalanced "[" in the host
        raise ValueError(f"REGWATCH_EMAIL_URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.path)
        if not path:
            raise ValueError("REGWATCH_EMAIL_URL file: needs a directory, e.g. file:/var/lib/regwatch/mail")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": path}
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"REGWATCH_EMAIL_URL: unknown scheme {scheme!r} (smtp, smtp+tls, smtps, console, file)")
    if not parts.hostname:
        raise ValueError("REGWATCH_EMAIL_URL: the SMTP host is missing")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:  # a port that is not a number or out of range
        raise ValueError(f"REGWATCH_EMAIL_URL: {exc}") from None
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
    }
