"""The evidence ledger (存证): an append-only hash chain behind a small interface.

Every entry's hash covers its sequence number, time, kind, object, canonical payload and
the previous entry's hash, so altering, removing or reordering any entry breaks the chain
from there on.  Entries that vouch for a file carry ``{"file": <storage name>, "digest": ...}``
and verification re-hashes the stored file.  SM3 (GB/T 32905, via gmssl) is used when
available, else SHA-256.  A consortium chain can replace ``LocalHashChain`` by implementing
``EvidenceLedger`` and setting ``LEDGER``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

GENESIS = "0" * 64

try:
    from gmssl import func as _sm3func
    from gmssl import sm3 as _sm3

    ALGORITHM = "sm3"
except ImportError:  # pragma: no cover - gmssl is a dependency
    ALGORITHM = "sha256"


def digest(data: bytes, algorithm: str = ALGORITHM) -> str:
    if algorithm == "sm3":
        return str(_sm3.sm3_hash(_sm3func.bytes_to_list(data)))
    return hashlib.sha256(data).hexdigest()


def file_digest(fileobj: Any, algorithm: str = ALGORITHM) -> str:
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    return digest(data, algorithm)


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


class LocalHashChain:
    """The chain in our own database (``audit.LedgerEntry``)."""

    @staticmethod
    def entry_hash(seq: int, at: str, kind: str, object_type: str, object_id: str, payload: Any, prev: str, algorithm: str) -> str:
        head = f"{seq}|{at}|{kind}|{object_type}|{object_id}|{prev}|".encode()
        return digest(head + canonical(payload), algorithm)

    def append(self, kind: str, object_type: str, object_id: str, payload: dict[str, Any]) -> int:
        from .models import LedgerEntry

        with transaction.atomic():
            # Serialise appenders: the last entry is locked (PostgreSQL) / the write lock is held (SQLite).
            last = LedgerEntry.objects.select_for_update().order_by("-seq").first()
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
                        if digest(fh.read(), e.algorithm) != e.payload.get("digest"):
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
