"""Column encryption: SM4-GCM (GB/T 32907, RFC 8998) with a keyring, AES-256-GCM where SM4 is missing.

A stored value is ``v1:<key id>:<nonce>:<ciphertext and tag>`` (nonce and ciphertext in unpadded
URL-safe base64).  The additional authenticated data binds the value to its table and column and to
the header itself, so a value copied into another column, or given another key id, fails to decrypt
instead of being read.  It is not bound to the row: values are encrypted before an INSERT knows its
primary key (``bulk_create``), so swapping two rows' values of one column stays possible for whoever
can write to the database — the audit trail records who changed what through the application.

Keys (``REGWATCH_FIELD_KEYS``): ``id:base64key,id2:base64key`` — the first encrypts, every one
decrypts.  A 16-byte key is an SM4 key, a 32-byte key an AES-256 key; ``REGWATCH_FIELD_CIPHER``
(``sm4``, the default, or ``aes256``) says which kind the current key must be.  Without keys,
embedded and test mode derive one from ``SECRET_KEY`` (key id ``local``); production refuses to
start (settings.py).  ``regwatch rotate-keys`` re-encrypts every column with the current key.

No function here logs or puts a key, a plaintext or a ciphertext into an exception message.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
CIPHERS = {"sm4": 16, "aes256": 32}  # cipher name -> key length in bytes
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
TOKEN = re.compile(r"^v1:([a-z0-9][a-z0-9-]{0,15}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22,})$")
DERIVED_KEY_ID = "local"


class FieldKeyError(ImproperlyConfigured):
    """The keyring is unusable: malformed, empty in production, or lacks the key a value names."""


class DecryptionError(ValueError):
    """A stored value failed authentication: altered, moved to another column, or a wrong key."""


def sm4_available() -> bool:
    try:
        Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
    except UnsupportedAlgorithm:
        return False
    return True


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes = b""

    @property
    def cipher(self) -> str:
        return "sm4" if len(self.secret) == 16 else "aes256"

    def __repr__(self) -> str:  # never the secret, in a traceback or a log line
        return f"Key(id={self.id!r}, cipher={self.cipher!r})"

    def encrypt(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        if self.cipher == "aes256":
            return AESGCM(self.secret).encrypt(nonce, plaintext, aad)
        enc = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        return enc.update(plaintext) + enc.finalize() + enc.tag

    def decrypt(self, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if self.cipher == "aes256":
            return AESGCM(self.secret).decrypt(nonce, sealed, aad)
        if len(sealed) < TAG_BYTES:
            raise InvalidTag
        dec = Cipher(algorithms.SM4(self.secret), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(sealed[:-TAG_BYTES]) + dec.finalize()


def parse_keys(spec: str, cipher: str = "sm4") -> list[Key]:
    """``id:base64,id2:base64`` -> keys, the current one first; raises ``FieldKeyError`` naming what is wrong (never a key)."""
    if cipher not in CIPHERS:
        raise FieldKeyError(f"REGWATCH_FIELD_CIPHER must be one of {', '.join(CIPHERS)}, not {cipher!r}.")
    keys: list[Key] = []
    for n, entry in enumerate((e.strip() for e in spec.split(",") if e.strip()), start=1):
        kid, sep, material = entry.partition(":")
        kid = kid.strip()
        if not sep or not KEY_ID.match(kid):
            raise FieldKeyError(
                f"REGWATCH_FIELD_KEYS entry {n}: expected id:base64key, the id of lower-case letters, digits and '-' (at most 16)."
            )
        material = material.strip().replace("-", "+").replace("_", "/")  # standard or URL-safe base64
        try:
            secret = base64.b64decode(material + "=" * (-len(material) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise FieldKeyError(f"REGWATCH_FIELD_KEYS key {kid!r} is not valid base64.") from None
        if len(secret) not in CIPHERS.values():
            raise FieldKeyError(f"REGWATCH_FIELD_KEYS key {kid!r} must be 16 bytes (SM4) or 32 bytes (AES-256), not {len(secret)}.")
        if any(k.id == kid for k in keys):
            raise FieldKeyError(f"REGWATCH_FIELD_KEYS names key {kid!r} twice.")
        keys.append(Key(kid, secret))
    if keys and len(keys[0].secret) != CIPHERS[cipher]:
        raise FieldKeyError(f"The current key {keys[0].id!r} is no {cipher} key ({CIPHERS[cipher]} bytes) as REGWATCH_FIELD_CIPHER says.")
    if keys and any(k.cipher == "sm4" for k in keys) and not sm4_available():
        raise FieldKeyError("This OpenSSL has no SM4: set REGWATCH_FIELD_CIPHER=aes256 with a 32-byte key (docs/security.md).")
    return keys


def derive_key(secret_key: str, cipher: str) -> Key:
    """The embedded/test key: HMAC-SM3 (HMAC-SHA256 without SM3) of SECRET_KEY, stable across restarts."""
    algorithm: hashes.HashAlgorithm = hashes.SM3() if sm4_available() else hashes.SHA256()
    from cryptography.hazmat.primitives import hmac as chmac

    mac = chmac.HMAC(secret_key.encode(), algorithm)
    mac.update(b"regwatch field encryption key v1")
    return Key(DERIVED_KEY_ID, mac.finalize()[: CIPHERS[cipher]])


def generate_key(cipher: str = "sm4") -> str:
    """A fresh key, base64, for ``REGWATCH_FIELD_KEYS``."""
    return base64.b64encode(os.urandom(CIPHERS[cipher])).decode()


class Keyring:
    def __init__(self, keys: list[Key]) -> None:
        if not keys:
            raise FieldKeyError("No field encryption key: set REGWATCH_FIELD_KEYS (docs/security.md, Cryptography).")
        self.keys = {k.id: k for k in keys}
        self.current = keys[0]

    def key(self, kid: str) -> Key:
        try:
            return self.keys[kid]
        except KeyError:
            raise FieldKeyError(f"A stored value was encrypted with key {kid!r}, which is not in REGWATCH_FIELD_KEYS.") from None


@functools.lru_cache(maxsize=8)
def _keyring(spec: str, cipher: str, secret_key: str) -> Keyring:
    keys = parse_keys(spec, cipher)
    return Keyring(keys or [derive_key(secret_key, cipher)])


def keyring() -> Keyring:
    from django.conf import settings

    spec = getattr(settings, "REGWATCH_FIELD_KEYS", "")
    if not spec and getattr(settings, "ENV", "") == "production":
        raise FieldKeyError("REGWATCH_ENV=production needs REGWATCH_FIELD_KEYS (docs/security.md, Cryptography).")
    return _keyring(spec, getattr(settings, "REGWATCH_FIELD_CIPHER", "sm4"), settings.SECRET_KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def aad(table: str, column: str, kid: str) -> bytes:
    return f"{VERSION}:{kid}:{table}.{column}".encode()


def is_token(value: str) -> bool:
    return bool(TOKEN.match(value))


def key_id(value: str) -> str | None:
    """The key id a stored value names, or None for a value that is not encrypted."""
    m = TOKEN.match(value)
    return m.group(1) if m else None


def encrypt(plaintext: str, table: str, column: str, ring: Keyring | None = None) -> str:
    key = (ring or keyring()).current
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.encrypt(nonce, plaintext.encode(), aad(table, column, key.id))
    return f"{VERSION}:{key.id}:{_b64(nonce)}:{_b64(sealed)}"


def decrypt(stored: str, table: str, column: str, ring: Keyring | None = None) -> str:
    """The plaintext of a stored value; a value that is not a token (written before encryption) is returned as it is."""
    m = TOKEN.match(stored)
    if not m:
        return stored
    kid = m.group(1)
    key = (ring or keyring()).key(kid)
    try:
        return key.decrypt(_unb64(m.group(2)), _unb64(m.group(3)), aad(table, column, kid)).decode()
    except (InvalidTag, UnicodeDecodeError, binascii.Error):
        raise DecryptionError(f"{table}.{column}: a stored value fails authentication (altered, moved, or key {kid!r} is wrong).") from None


# --- whole columns: the data migration and ``regwatch rotate-keys`` -------------------------------


@dataclass(frozen=True)
class Column:
    table: str
    column: str
    pk: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[Column]:
    """Every column of an ``EncryptedTextField`` in the installed models."""
    from django.apps import apps

    from .fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append(Column(model._meta.db_table, str(f.column), str(model._meta.pk.column)))  # type: ignore[union-attr]
    return sorted(found, key=str)


def _stale(connection: Any, col: Column, current: str) -> str:
    """SQL condition: a non-empty value not encrypted with the current key (plaintext or an older key)."""
    qn = connection.ops.quote_name
    prefix = f"{VERSION}:{current}:"
    return f"{qn(col.column)} IS NOT NULL AND {qn(col.column)} <> '' AND SUBSTR({qn(col.column)}, 1, {len(prefix)}) <> '{prefix}'"


def count_stale(connection: Any, col: Column, ring: Keyring | None = None) -> int:
    ring = ring or keyring()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(col.table)} WHERE {_stale(connection, col, ring.current.id)}")
        return int(cursor.fetchone()[0])


def reencrypt_column(
    connection: Any,
    col: Column,
    batch_size: int = 500,
    ring: Keyring | None = None,
    transform: Callable[[str], str] | None = None,
) -> Iterator[int]:
    """Re-encrypt every value of ``col`` not under the current key, one transaction per batch; yields rows done so far.

    Plaintext (written before the column was encrypted) is encrypted; a value under an older key is
    decrypted and encrypted again.  Each row is updated only if it still holds what was read, so a
    concurrent save (already under the current key) is never overwritten.  Safe to interrupt and run
    again: it resumes with what is left, and does nothing once every value is current.
    ``transform`` replaces the re-encryption (the migration's reverse uses it to write plaintext back).
    """
    from django.db import transaction

    ring = ring or keyring()
    qn = connection.ops.quote_name
    table, column, pk = qn(col.table), qn(col.column), qn(col.pk)
    where = _stale(connection, col, ring.current.id) if transform is None else f"{column} IS NOT NULL AND {column} <> ''"
    last: Any = None
    done = 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            after = "" if last is None else f" AND {pk} > %s"
            sql = f"SELECT {pk}, {column} FROM {table} WHERE {where}{after} ORDER BY {pk} LIMIT {int(batch_size)}"
            cursor.execute(sql, [] if last is None else [last])
            rows = cursor.fetchall()
            if not rows:
                return
            for row_pk, stored in rows:
                if transform is not None:
                    if not is_token(stored):
                        continue
                    new = transform(decrypt(stored, col.table, col.column, ring))
                else:
                    new = encrypt(decrypt(stored, col.table, col.column, ring), col.table, col.column, ring)
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s", [new, row_pk, stored])
            last = rows[-1][0]
            done += len(rows)
        yield done


def encrypt_existing(app_label: str, model_name: str, *field_names: str) -> Any:
    """A migration operation that encrypts the values already in these columns (and decrypts them when reversed).

    Put it after the ``AlterField`` that makes the columns ``EncryptedTextField``.
    """
    from django.db import migrations

    def columns(apps: Any) -> list[Column]:
        model = apps.get_model(app_label, model_name)
        return [Column(model._meta.db_table, model._meta.get_field(f).column, model._meta.pk.column) for f in field_names]

    def forward(apps: Any, schema_editor: Any) -> None:
        for col in columns(apps):
            for _ in reencrypt_column(schema_editor.connection, col):
                pass

    def backward(apps: Any, schema_editor: Any) -> None:
        for col in columns(apps):
            for _ in reencrypt_column(schema_editor.connection, col, transform=lambda plaintext: plaintext):
                pass

    return migrations.RunPython(forward, backward)
