"""Integrity of the audit trail: MAC at insert, a short sealing step that chains, verification, retention.

Audit and access events are written inside request transactions all over the site, so an insert
takes no lock: ``stamp`` (called by ``ChainedEvent.save``) gives the row a random nonce and
``mac = HMAC-SM3(audit key, canonical content)``.  The key comes from ``REGWATCH_AUDIT_KEY`` or is
derived from ``SECRET_KEY``; it never lives in the database, so someone with database access alone
cannot make a MAC for an edited or invented row.

``seal`` runs for a moment under the chain's advisory lock (the worker every minute, and before
verification and purge): it numbers the committed rows not yet sealed (``seq`` 1, 2, ...) and sets
``chain = HMAC-SM3(key, seq | id | previous chain | mac)``, then writes a MAC'd checkpoint of the
head.  ``verify`` recomputes every MAC and the chain from the latest purge checkpoint on, so an
edited field (MAC), a deleted row (gap in ``seq``, next link broken), an inserted row (MAC) and a
reordering (``at`` is in the MAC; ``seq`` and ``id`` are in the chain) are all reported, as is a
removed tail (the latest seal checkpoint's head is missing).  Unsealed rows (the tail written since
the last seal) are checked by their MAC.

Hashing is ``ledger.keyed_digest`` and ``ledger.canonical``: one SM3 implementation (OpenSSL, C).
"""

from __future__ import annotations

import datetime
import decimal
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from .ledger import GENESIS, _lock_chain_head, canonical, keyed_digest
from .models import AccessEvent, AuditCheckpoint, AuditEvent, ChainedEvent

log = logging.getLogger("regwatch.audit.chain")

# The chains: name -> model, and the advisory lock key of each (any fixed numbers, not the ledger's).
CHAINS: dict[str, type[ChainedEvent]] = {AuditCheckpoint.Chain.AUDIT: AuditEvent, AuditCheckpoint.Chain.ACCESS: AccessEvent}
_LOCK_KEYS: dict[str, int] = {AuditCheckpoint.Chain.AUDIT: 0x5E6C_4A12, AuditCheckpoint.Chain.ACCESS: 0x5E6C_4A13}
CHAIN_LABELS: dict[str, str] = dict(AuditCheckpoint.Chain.choices)

MIN_RETENTION_DAYS = 180  # 等保 level 3: audit records kept at least six months
SEAL_BATCH = 2000


# --- the key -------------------------------------------------------------------------------------


def audit_key() -> bytes:
    """``REGWATCH_AUDIT_KEY`` if set, else a key derived from ``SECRET_KEY`` (never the secret itself)."""
    explicit = getattr(settings, "REGWATCH_AUDIT_KEY", "")
    if explicit:
        return str(explicit).encode()
    return bytes.fromhex(keyed_digest(settings.SECRET_KEY.encode(), b"regwatch.audit.chain.v1"))


# --- insert: the MAC -----------------------------------------------------------------------------


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


def _numbers(value: Any) -> Any:
    """JSON as both databases read it back: PostgreSQL's jsonb keeps numbers as decimals, so a float
    with an integral value may come back as an int (1e16) and -0.0 as 0; integral floats count as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(decimal.Decimal(repr(value)))  # the decimal written (8.6e16 -> 86000000000000000), not the binary value
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def content(event: Any, fields: tuple[str, ...] | None = None) -> bytes:
    """The canonical bytes an event's MAC covers: its ``MAC_FIELDS`` (or ``fields``) and nonce."""
    data: dict[str, Any] = {"nonce": event.nonce, "type": event._meta.label_lower}
    for name in fields or type(event).MAC_FIELDS:
        value = getattr(event, name)
        data[name] = _utc(value) if isinstance(value, datetime.datetime) else _numbers(value)
    return canonical(data)


def event_mac(event: Any, key: bytes | None = None, fields: tuple[str, ...] | None = None) -> str:
    return keyed_digest(key or audit_key(), content(event, fields))


def stamp(event: ChainedEvent) -> None:
    """Fill time, nonce and MAC of a new event (its JSON values as they will read back)."""
    if event.at is None:
        event.at = timezone.now()
    for f in event._meta.concrete_fields:
        if isinstance(f, models.JSONField) and f.attname in event.MAC_FIELDS:
            value = getattr(event, f.attname)
            if value is not None:
                setattr(event, f.attname, json.loads(canonical(value)))
    event.nonce = secrets.token_hex(16)
    event.mac = event_mac(event)


# --- sealing -------------------------------------------------------------------------------------


def link(key: bytes, seq: int, pk: int, prev: str, mac: str) -> str:
    return keyed_digest(key, f"{seq}|{pk}|{prev}|{mac}".encode())


def checkpoint_mac(key: bytes, cp: AuditCheckpoint) -> str:
    return keyed_digest(key, f"{cp.chain_name}|{cp.kind}|{cp.seq}|{cp.chain}|{cp.count}|{_utc(cp.at)}".encode())


def _checkpoint(key: bytes, chain_name: str, kind: str, seq: int, chain: str, count: int) -> AuditCheckpoint:
    cp = AuditCheckpoint(chain_name=chain_name, kind=kind, seq=seq, chain=chain, count=count, at=timezone.now())
    cp.mac = checkpoint_mac(key, cp)
    cp.save()
    return cp


def _head(chain_name: str) -> tuple[int, str]:
    """Where the chain goes on: the last checkpoint's head, not the last row, so a tail deleted
    since the last seal shows as a gap instead of being papered over by the next numbers."""
    last = AuditCheckpoint.objects.filter(chain_name=chain_name).order_by("-seq", "-id").values_list("seq", "chain").first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def seal(chain_name: str | None = None) -> int:
    """Number and chain every committed, unsealed event; returns how many.  Short: one lock per batch."""
    names = [chain_name] if chain_name else list(CHAINS)
    key = audit_key()
    sealed = 0
    for name in names:
        model = CHAINS[name]
        while True:
            with transaction.atomic():
                _lock_chain_head(_LOCK_KEYS[name])
                rows = list(model._default_manager.filter(seq__isnull=True).order_by("id").only("mac")[:SEAL_BATCH])
                if not rows:
                    break
                seq, prev = _head(name)
                for row in rows:
                    seq += 1
                    row.seq, row.chain = seq, link(key, seq, row.pk, prev, row.mac)
                    prev = row.chain
                model._default_manager.bulk_update(rows, ["seq", "chain"], batch_size=500)
                _checkpoint(key, name, AuditCheckpoint.Kind.SEAL, seq, prev, len(rows))
            sealed += len(rows)
            log.info("audit chain %s sealed up to #%s, head %s", name, seq, prev)
            if len(rows) < SEAL_BATCH:
                break
    return sealed


# --- verification --------------------------------------------------------------------------------


@dataclass
class Finding:
    chain: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"第 {self.seq} 条" if self.seq is not None else "整体"
        return f"{CHAIN_LABELS.get(self.chain, self.chain)} {where}：{self.message}"


@dataclass
class Verification:
    checked: int = 0
    unsealed: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        text = f"已校验 {self.checked} 条审计记录（其中未封存 {self.unsealed} 条）："
        return text + ("校验通过" if self.ok else f"发现 {len(self.findings)} 处问题")


def count_events() -> int:
    return sum(model._default_manager.count() for model in CHAINS.values())


def verify(progress: Callable[[int, str], None] | None = None, do_seal: bool = True) -> Verification:
    """Seal what is committed, then check both chains; ``progress(n, message)`` after each batch."""
    if do_seal:
        seal()
    key = audit_key()
    report = Verification()
    for name, model in CHAINS.items():
        _verify_chain(key, name, model, report, progress)
    return report


VERIFY, PURGE = "audit_verify", "audit_purge"
ACTIONS = {VERIFY: "审计日志校验", PURGE: "审计日志过期清理"}


def check(progress: Callable[[int, str], None] | None = None) -> Verification:
    """``verify`` for a person (the 校验 page, ``regwatch audit verify``): the check is itself logged."""
    from .services import record_access

    report = verify(progress)
    record_access(VERIFY, "审计日志", result="校验通过" if report.ok else "发现问题", checked=report.checked, problems=len(report.findings))
    return report


def _verify_chain(
    key: bytes, name: str, model: type[ChainedEvent], report: Verification, progress: Callable[[int, str], None] | None
) -> None:
    def find(seq: int | None, message: str) -> None:
        report.findings.append(Finding(name, seq, message))

    checkpoints = AuditCheckpoint.objects.filter(chain_name=name)
    for cp in checkpoints.iterator(chunk_size=2000):
        if checkpoint_mac(key, cp) != cp.mac:
            find(cp.seq, "检查点内容与校验码不符（检查点被篡改或伪造）")
    purge = checkpoints.filter(kind=AuditCheckpoint.Kind.PURGE).order_by("-seq").first()
    expected, prev = (purge.seq + 1, purge.chain) if purge else (1, GENESIS)
    label = CHAIN_LABELS[name]
    batch = 0
    # Every seal checkpoint names the head it left: the row with that number must still carry it.
    seals = checkpoints.filter(kind=AuditCheckpoint.Kind.SEAL, seq__gte=expected).order_by("seq", "id")
    marks = seals.values_list("seq", "chain").iterator(chunk_size=2000)
    mark = next(marks, None)
    for e in model._default_manager.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        batch += 1
        assert e.seq is not None
        if e.seq < expected:
            find(e.seq, "已清理范围内仍有记录（记录被插入或检查点被篡改）")
        elif e.seq > expected:
            missing = f"{expected}" if e.seq == expected + 1 else f"{expected}–{e.seq - 1}"
            find(e.seq, f"链序号不连续，缺少第 {missing} 条（记录被删除）")
        if event_mac(e, key) != e.mac:
            find(e.seq, "记录内容与校验码不符（记录被修改或伪造）")
        if link(key, e.seq, e.pk, prev, e.mac) != e.chain:
            find(e.seq, "与前一条的链接不符（记录被删除、插入或重排）")
        while mark is not None and mark[0] <= e.seq:
            if mark[0] == e.seq and mark[1] != e.chain:
                find(e.seq, "与封存时记下的链哈希不符（记录被替换）")
            mark = next(marks, None)
        expected, prev = e.seq + 1, e.chain
        if progress is not None and batch >= 2000:
            progress(batch, f"{label}：已校验至第 {e.seq} 条")
            batch = 0
    if mark is not None:
        head = seals.order_by("-seq").values_list("seq", flat=True).first()
        find(head, f"最近一次封存至第 {head} 条，现仅存至第 {expected - 1} 条（末尾记录被删除）")
    for e in model._default_manager.filter(seq__isnull=True).order_by("id").iterator(chunk_size=2000):
        report.checked += 1
        report.unsealed += 1
        batch += 1
        if event_mac(e, key) != e.mac:
            find(None, f"未封存记录（编号 {e.pk}）内容与校验码不符（记录被修改或伪造）")
    if progress is not None:
        progress(batch, f"{label}：校验完毕")


# --- retention -----------------------------------------------------------------------------------


def retention_days() -> int:
    """The configured retention, refused below the policy's minimum of 180 days."""
    days = int(getattr(settings, "REGWATCH_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"REGWATCH_AUDIT_RETENTION_DAYS={days}: 审计日志保存期限不得少于 {MIN_RETENTION_DAYS} 天"
            f" (audit records must be kept at least {MIN_RETENTION_DAYS} days)."
        )
    return days


@dataclass
class Purge:
    cutoff: datetime.datetime
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def purge(now: datetime.datetime | None = None) -> Purge:
    """Remove the events older than the retention period, a chain prefix at a time, leaving a checkpoint.

    Only a prefix of each chain goes (all rows up to the first one still within the period), so
    the rest stays verifiable from the purge checkpoint that records the last removed link.
    """
    from .services import record_access

    days = retention_days()
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    seal()
    key = audit_key()
    result = Purge(cutoff=cutoff)
    for name, model in CHAINS.items():
        with transaction.atomic():
            _lock_chain_head(_LOCK_KEYS[name])
            kept = model._default_manager.filter(seq__isnull=False, at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
            sealed = model._default_manager.filter(seq__isnull=False)
            if kept is not None:
                sealed = sealed.filter(seq__lt=kept)
            last = sealed.order_by("-seq").values_list("seq", "chain").first()
            if last is None:
                result.removed[name] = 0
                continue
            count, _ = sealed.filter(seq__lte=last[0]).delete()
            _checkpoint(key, name, AuditCheckpoint.Kind.PURGE, int(last[0] or 0), str(last[1]), count)
            result.removed[name] = count
    record_access(
        PURGE,
        "审计日志",
        retention_days=days,
        cutoff=_utc(cutoff),
        removed={CHAIN_LABELS[k]: v for k, v in result.removed.items()},
    )
    return result
