"""The evidence ledger (存证): an append-only hash chain behind a small interface.

Every entry's hash covers its sequence number, time, kind, object, canonical payload and
the previous entry's hash, so altering, removing or reordering any entry breaks the chain
from there on.  Entries that vouch for a file carry ``{"file": <storage name>, "digest": ...}``
and verification re-hashes the stored file.  Hashes are SM3 (GB/T 32905) computed by OpenSSL
through ``cryptography`` (C, several hundred MB/s), with SHA-256 kept for entries written
under that name.  Files are always hashed in chunks (constant memory): ``Hasher`` is fed while
an upload streams in (``audit/uploads.py``) and while ``verify`` reads stored files back.
A consortium chain can replace ``LocalHashChain`` by implementing ``EvidenceLedger`` and
setting ``LEDGER``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

GENESIS = "0" * 64
ALGORITHM = "sm3"
CHUNK_SIZE = 1024 * 1024


_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {"sm3": hashes.SM3, "sha256": hashes.SHA256}


class Hasher:
    """An incremental hash by the ledger's algorithm name: ``update`` with chunks, then ``hexdigest`` once."""

    def __init__(self, algorithm: str = ALGORITHM) -> None:
        if algorithm not in _ALGORITHMS:
            raise ValueError(f"unknown ledger hash algorithm {algorithm!r}")
        self.algorithm = algorithm
        self._hash = hashes.Hash(_ALGORITHMS[algorithm]())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


def digest(data: bytes, algorithm: str = ALGORITHM) -> str:
    h = Hasher(algorithm)
    h.update(data)
    return h.hexdigest()


def keyed_digest(key: bytes, data: bytes, algorithm: str = ALGORITHM) -> str:
    """HMAC (RFC 2104) by the ledger's algorithm name: HMAC-SM3 by default, hex."""
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"unknown ledger hash algorithm {algorithm!r}")
    mac = _hmac.HMAC(key, _ALGORITHMS[algorithm]())
    mac.update(data)
    return mac.finalize().hex()


def file_digest(fileobj: Any, algorithm: str = ALGORITHM) -> str:
    """Digest of a file object read in chunks from its start; the position is reset afterwards."""
    h = Hasher(algorithm)
    fileobj.seek(0)
    chunks = fileobj.chunks(CHUNK_SIZE) if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(CHUNK_SIZE), b"")
    for chunk in chunks:
        h.update(chunk)
    fileobj.seek(0)
    return h.hexdigest()


def upload_digest(upload: Any) -> str:
    """The digest a streaming upload handler computed on the way in, else hash the file now (chunked)."""
    precomputed = getattr(upload, "digest", None)
    if precomputed and getattr(upload, "digest_algorithm", None) == ALGORITHM:
        return str(precomputed)
    return file_digest(upload)


def canonical(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


@dataclass
class Problem:
    seq: int | None
    message: str


@dataclass
class Report:
    checked: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class EvidenceLedger(Protocol):
    def append(self, kind: str, object_type: str, object_id: str, payload: dict[str, Any]) -> int: ...

    def verify(self) -> Report: ...


# Any fixed number: the key of the one PostgreSQL advisory lock that serialises appenders.
_APPEND_LOCK_KEY = 0x5E6C_4A11


def _lock_chain_head(key: int = _APPEND_LOCK_KEY) -> None:
    """Serialise appenders until the caller's transaction ends (one chain per ``key``).

    ``SELECT ... ORDER BY seq DESC LIMIT 1 FOR UPDATE`` is not enough on PostgreSQL: a waiter
    wakes up holding the *old* head row and computes the same next number.  A transaction-scoped
    advisory lock taken before reading the head makes the read see the winner's commit.  SQLite
    needs nothing: IMMEDIATE transactions already hold the database's one write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    elif connection.vendor != "sqlite":
        from .models import LedgerEntry

        list(LedgerEntry.objects.select_for_update().order_by("-seq")[:1])


class LocalHashChain:
    """The chain in our own database (``audit.LedgerEntry``)."""

    @staticmethod
    def entry_hash(seq: int, at: str, kind: str, object_type: str, object_id: str, payload: Any, prev: str, algorithm: str) -> str:
        head = f"{seq}|{at}|{kind}|{object_type}|{object_id}|{prev}|".encode()
        return digest(head + canonical(payload), algorithm)

    def append(self, kind: str, object_type: str, object_id: str, payload: dict[str, Any]) -> int:
        from .models import LedgerEntry

        with transaction.atomic():
            _lock_chain_head()
            last = LedgerEntry.objects.order_by("-seq").first()
            seq, prev = (last.seq + 1, last.entry_hash) if last else (1, GENESIS)
            at = timezone.now()
            payload = json.loads(canonical(payload))
            h = self.entry_hash(seq, at.isoformat(), kind, object_type, object_id, payload, prev, ALGORITHM)
            LedgerEntry.objects.create(
                seq=seq,
                at=at,
                kind=kind,
                object_type=object_type,
                object_id=object_id,
                payload=payload,
                algorithm=ALGORITHM,
                prev_hash=prev,
                entry_hash=h,
            )
            return seq

    def verify(self) -> Report:
        from .models import LedgerEntry

        report = Report()
        expected_seq, prev = 1, GENESIS
        for e in LedgerEntry.objects.order_by("seq").iterator(chunk_size=2000):
            report.checked += 1
            if e.seq != expected_seq:
                report.problems.append(Problem(e.seq, f"序号不连续：应为 {expected_seq}，实为 {e.seq}（记录被删除或重排）"))
            if e.prev_hash != prev:
                report.problems.append(Problem(e.seq, "前序哈希与上一条不一致（记录被删除、插入或重排）"))
            if (
                self.entry_hash(e.seq, e.at.isoformat(), e.kind, e.object_type, e.object_id, e.payload, e.prev_hash, e.algorithm)
                != e.entry_hash
            ):
                report.problems.append(Problem(e.seq, "本条内容与哈希不符（记录被篡改）"))
            name = e.payload.get("file") if isinstance(e.payload, dict) else None
            if name:
                report.files += 1
                if not default_storage.exists(name):
                    report.problems.append(Problem(e.seq, f"存证文件缺失：{name}"))
                else:
                    with default_storage.open(name, "rb") as fh:
                        if file_digest(fh, e.algorithm) != e.payload.get("digest"):
                            report.problems.append(Problem(e.seq, f"文件内容与存证摘要不符（文件被篡改）：{name}"))
            expected_seq, prev = e.seq + 1, e.entry_hash
        return report


LEDGER: EvidenceLedger = LocalHashChain()

# Apps that keep ledger sequence numbers on their own rows (work-order steps, attachments)
# register a check that those entries still exist and match: that catches the removal of
# the chain's tail, which a hash chain alone cannot see.
REFERENCE_CHECKS: list[Callable[[], list[Problem]]] = []


def register_reference_check(check: Callable[[], list[Problem]]) -> None:
    if check not in REFERENCE_CHECKS:
        REFERENCE_CHECKS.append(check)


def append(kind: str, object_type: str, object_id: str, payload: dict[str, Any]) -> int:
    return LEDGER.append(kind, object_type, object_id, payload)


def verify() -> Report:
    report = LEDGER.verify()
    for check in REFERENCE_CHECKS:
        report.problems.extend(check())
    return report


def entries_for(object_type: str, object_id: str) -> Any:
    from .models import LedgerEntry

    return LedgerEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("seq")
