"""No secret in the logs of what users do, nor in the repository.

The log check captures every logger at DEBUG while passwords are typed (sign-in, a failed
sign-in, a password change, an account created with an initial password) and a token calls the
API, then looks for each secret in what was logged and in the audit trail.
"""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from regwatch.accounts.models import User
from regwatch.audit.models import AccessEvent, AuditEvent

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW, INITIAL, WRONG = "Regwatch#2026", "Qiang-Mima#7391x", "Chushi-Mima#5520y", "Cuowu-Mima#0000z"


def test_passwords_tokens_and_the_secret_key_never_reach_the_logs(inspector: Any, admin: Any, security_admin: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    Client().post("/login/", {"username": "inspector", "password": WRONG})
    client = Client()
    assert client.post("/login/", {"username": "inspector", "password": OLD}).status_code == 302
    changed = client.post("/account/password/", {"old_password": OLD, "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    creator = Client()
    creator.force_login(admin)
    creator.post("/users/add/", {"username": "newcomer", "display_name": "新同事", "password1": INITIAL, "password2": INITIAL})
    assert User.objects.get(username="newcomer").check_password(INITIAL)
    token = Token.objects.get_or_create(user=inspector)[0].key
    assert Client().get("/api/v1/subjects/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert Client().get("/api/v1/subjects/", HTTP_AUTHORIZATION="Token " + "f" * 40).status_code == 401

    trail = json.dumps(
        [list(AuditEvent.objects.values("before", "after")), list(AccessEvent.objects.values("target", "detail"))],
        ensure_ascii=False,
        default=str,
    )
    for secret in (OLD, NEW, INITIAL, WRONG, token, settings.SECRET_KEY):
        assert secret not in caplog.text, "a secret was logged"
        assert secret not in trail, "a secret reached the audit trail"


# A private key, a cloud access key, or a literal secret assigned in code.
SECRET_SHAPES = re.compile(
    r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"
    r"|AKIA[0-9A-Z]{16}"
    r"|(?i:secret_key|api_key|password)\s*=\s*[\"'][^\"'\s]{24,}[\"']"
)


def test_the_repository_holds_no_secret() -> None:
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix in {".png", ".pdf", ".xlsx", ".ttf", ".woff2", ".ico"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{name}: {m.group(0)[:40]}" for m in SECRET_SHAPES.finditer(text)]
    assert not found, found


def test_field_keys_and_encrypted_values_never_reach_the_logs(admin: Any, caplog: Any) -> None:
    """Column keys (core/crypto.py) stay out of logs, command output and the audit trail; so do the stored ciphertexts."""
    import base64

    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from regwatch.core import crypto
    from regwatch.core.models import Organization

    caplog.set_level(logging.DEBUG)
    new, old = base64.b64encode(b"N" * 16).decode(), base64.b64encode(b"O" * 16).decode()
    org = Organization.objects.select_related("region").filter(parent__isnull=False).first()
    assert org is not None
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    form = {"code": org.code, "name": org.name, "kind": org.kind, "parent": org.parent_id, "region": org.region_id}
    with override_settings(REGWATCH_FIELD_KEYS=f"old:{old}"):
        saved = client.post(f"/organizations/{org.pk}/edit/", {**form, "contact": "李四", "phone": "0571-12345678"})
        assert saved.status_code == 302, saved.content.decode()[:2000]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM core_organization WHERE id = %s", [org.pk])
        before = cursor.fetchone()[0]
    assert crypto.key_id(before) == "old"
    out = io.StringIO()
    with override_settings(REGWATCH_FIELD_KEYS=f"new:{new},old:{old}"):
        call_command("rotate_keys", stdout=out)
        assert "李四" in client.get(f"/organizations/{org.pk}/").content.decode()
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM core_organization WHERE id = %s", [org.pk])
            after = cursor.fetchone()[0]
            cursor.execute("UPDATE core_organization SET phone = %s WHERE id = %s", [after[:-4] + "AAAA", org.pk])
        assert client.get(f"/organizations/{org.pk}/").status_code == 500  # a tampered value fails loudly …
    derived = base64.b64encode(crypto.derive_key(settings.SECRET_KEY, "sm4").secret).decode()
    trail = json.dumps(list(AuditEvent.objects.values("before", "after")), ensure_ascii=False, default=str)
    for secret in (new, old, derived, before, after):
        assert secret not in caplog.text, "a key or a ciphertext was logged"  # … and the log names neither key nor value
        assert secret not in out.getvalue() and secret not in trail
    # The clear values of encrypted columns stay out of the trail too; that they changed does not.
    assert "0571-12345678" not in trail and "李四" not in trail
    assert AuditEvent.objects.filter(object_type="core.organization", object_id=str(org.pk), after__phone__startswith="已加密·").exists()
