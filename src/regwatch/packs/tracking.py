"""What a pack delivered, and what users changed since: a reload never silently replaces a local edit.

Every model that a pack section writes and users may edit (warning rules, intake sources and field
mappings, grade schemes, scoring models and versions, indicators, workflow definitions) mixes in
``PackOwned``, which adds two fields:

- ``pack_checksum``: SHA-256 of the definition the pack last delivered into the row (empty when
  the row was never written by a pack load);
- ``locally_modified``: set by ``save()`` whenever the row is written outside a pack load and its
  pack-managed fields (``pack_fields``) differ from what the pack delivered, or when it is created
  outside a load (a user's new mapping version or scorecard draft).  Reverting the edit clears it.

Section loaders never upsert by hand.  They call ``sync`` (one row per key) or ``sync_version``
(append-only versions: field mappings, model versions, workflows), which decide the same way:

=========================  ==============================  =========================================
row                        pack definition since the last  result
                           load
=========================  ==============================  =========================================
missing                    —                               created
same content as the pack   —                               unchanged
not locally modified       changed                         updated (versioned: a new version)
locally modified           unchanged                       kept, nothing to report
locally modified           changed                         conflict: kept and reported; with
                                                           ``--force`` the pack wins (audited as
                                                           ``system:pack-load:NAME:force``)
=========================  ==============================  =========================================

A load runs inside ``loading(pack, force)``, which names the actor for the audit trail and
collects the conflicts for ``LoadResult``.  Kept conflicts are stored on ``PackInstall`` so the
next ``pack load`` reports them again instead of "already up to date"; ``pack load`` exits 0 with
the conflict table (keeping a local edit is the intended outcome, not a failure).  The marker is
set in ``save()``: a queryset ``update()`` of pack fields would bypass it, so code that edits
pack-delivered definitions saves the row.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from django.db import models

from regwatch.audit.context import current_actor, system

LOADER_LABEL = "system:pack-load:"

CREATED, UPDATED, UNCHANGED, KEPT = "created", "updated", "unchanged", "kept"


@dataclass
class Conflict:
    """A locally modified object whose pack definition changed."""

    kind: str  # the model's verbose name, e.g. 预警规则
    name: str  # the object as users know it
    changes: list[tuple[str, str, str]]  # (what, local value, pack value)
    overwritten: bool  # True: --force, the pack won; False: the local version was kept

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoadSession:
    pack: str
    force: bool = False
    conflicts: list[Conflict] = field(default_factory=list)


_session: contextvars.ContextVar[LoadSession | None] = contextvars.ContextVar("regwatch_pack_load", default=None)
_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("regwatch_pack_writing", default=False)


@contextlib.contextmanager
def loading(pack: str, force: bool = False) -> Iterator[LoadSession]:
    session = LoadSession(pack, force)
    token = _session.set(session)
    try:
        with system(f"pack-load:{pack}"):
            yield session
    finally:
        _session.reset(token)


def is_pack_write() -> bool:
    """True inside a pack load (the audit actor says so) or a ``sync`` write."""
    return _writing.get() or current_actor().label.startswith(LOADER_LABEL)


@contextlib.contextmanager
def _pack_write(forced: bool = False) -> Iterator[None]:
    token = _writing.set(True)
    try:
        if forced:
            session = _session.get()
            # The audit trail names the overwrite of a local edit explicitly.
            with system(f"pack-load:{session.pack if session else ''}:force"):
                yield
        else:
            yield
    finally:
        _writing.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | decimal.Decimal):
        return str(value)
    return value


def digest(values: dict[str, Any]) -> str:
    data = {k: _plain(v) for k, v in values.items()}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class PackOwned(models.Model):
    """Mixin for rows a pack delivers; ``pack_fields`` are the fields the pack decides."""

    pack_fields: ClassVar[tuple[str, ...]] = ()

    pack_checksum = models.CharField("业务包定义校验值", max_length=64, blank=True, default="", editable=False)
    locally_modified = models.BooleanField(
        "本地已修改", default=False, editable=False, help_text="在界面或接口中新建或修改；重新加载业务包时保留本地版本，除非使用 --force"
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not is_pack_write():
            self.locally_modified = self._edited()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "locally_modified"}
        super().save(*args, **kwargs)

    def pack_values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.pack_fields}

    def _edited(self) -> bool:
        if self._state.adding:
            return True  # created outside a load: a user's object or a user's new version
        if self.pack_checksum:
            return digest(self.pack_values()) != self.pack_checksum
        if self.locally_modified:
            return True
        # Rows loaded before tracking existed: compare with the stored row.
        old = type(self)._default_manager.filter(pk=self.pk).first()
        return old is None or digest(old.pack_values()) != digest(self.pack_values())


# --- deciding, for loaders ------------------------------------------------------------------------


def _stamp(obj: PackOwned, checksum: str) -> None:
    """Bookkeeping only (no audit event): the row now matches the pack's definition."""
    type(obj)._default_manager.filter(pk=obj.pk).update(pack_checksum=checksum, locally_modified=False)
    obj.pack_checksum, obj.locally_modified = checksum, False


def _decide(current: PackOwned | None, baseline: str, values: dict[str, Any], write: Callable[[], PackOwned]) -> str:
    """The table in the module docstring.  ``baseline`` is the checksum the pack last delivered."""
    checksum = digest(values)
    if current is None:
        with _pack_write():
            _stamp(write(), checksum)
        return CREATED
    if digest(current.pack_values()) == checksum:
        if current.pack_checksum != checksum or current.locally_modified:
            _stamp(current, checksum)
        return UNCHANGED
    if current.locally_modified:
        if baseline == checksum:
            return UNCHANGED  # the pack did not change this object: the local edit simply stays
        session = _session.get()
        forced = bool(session and session.force)
        if session is not None:
            session.conflicts.append(Conflict(str(current._meta.verbose_name), str(current), changes(current, values), forced))
        if not forced:
            return KEPT
        with _pack_write(forced=True):
            _stamp(write(), checksum)
        return UPDATED
    with _pack_write():
        _stamp(write(), checksum)
    return UPDATED


def sync(model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> str:
    """Create or update the row ``key`` with the pack's ``values``; returns CREATED/UPDATED/UNCHANGED/KEPT.

    Models that are not ``PackOwned`` (subject kinds, record types, tags) are simply upserted.
    """
    manager = model._default_manager
    obj: Any = manager.filter(**key).first()
    if not issubclass(model, PackOwned):
        if obj is None:
            manager.create(**key, **values)
            return CREATED
        if all(getattr(obj, k) == v for k, v in values.items()):
            return UNCHANGED
        for k, v in values.items():
            setattr(obj, k, v)
        obj.save()
        return UPDATED
    assert set(values) == set(model.pack_fields), f"{model.__name__}: pack values must be exactly {model.pack_fields}"

    def write() -> PackOwned:
        target = obj if obj is not None else model(**key)
        for k, v in values.items():
            setattr(target, k, v)
        target.save()
        return target  # type: ignore[return-value]

    return _decide(obj, obj.pack_checksum if obj is not None else "", values, write)


def sync_version(current: PackOwned | None, history: models.QuerySet[Any], content: dict[str, Any], create: Callable[[], Any]) -> str:
    """Versioned objects: ``current`` is the version in force (or the newest draft), ``history`` all
    versions newest first, ``create()`` writes the pack's ``content`` as a new version.

    A version created outside a load (a user's mapping version, scorecard draft or restored version)
    is locally modified; the loader never supersedes it silently.
    """
    assert current is None or set(content) == set(type(current).pack_fields)
    delivered = history.filter(locally_modified=False).first()  # the newest version the pack delivered
    baseline = (delivered.pack_checksum or digest(delivered.pack_values())) if delivered is not None else ""
    return _decide(current, baseline, content, create)


# --- describing a conflict --------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "、".join(str(v) for v in value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _leaves(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """Where two JSON values differ, down to the smallest differing part."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in [*a, *(k for k in b if k not in a)]:
            if a.get(k) != b.get(k):
                yield from _leaves(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                # Items with a code (categories, states, levels) are named by it, not by position.
                name = x.get("code") if isinstance(x, dict) and isinstance(y, dict) and x.get("code") == y.get("code") else None
                yield from _leaves(x, y, f"{path}[{name or i}]")
    else:
        yield path, a, b


def changes(obj: models.Model, values: dict[str, Any], limit: int = 8) -> list[tuple[str, str, str]]:
    """(what, local, pack) for what the pack would change, at most ``limit`` lines."""
    out: list[tuple[str, str, str]] = []
    for name, new in values.items():
        old = getattr(obj, name)
        if _plain(old) == _plain(new):
            continue
        label = str(getattr(obj._meta.get_field(name), "verbose_name", name))
        for path, a, b in _leaves(old, new, ""):
            out.append((label + (f" {path.lstrip('.')}" if path else ""), _show(a), _show(b)))
    if len(out) > limit:
        out = [*out[: limit - 1], ("……", f"另有 {len(out) - limit + 1} 处不同", "")]
    return out


def mark_earlier_edits(app_label: str, watched: dict[str, tuple[str, ...]]) -> Callable[[Any, Any], None]:
    """Data migration for models that become ``PackOwned`` (``watched``: model name → the columns the
    pack decides, frozen in the migration): rows the audit trail shows were created, or had one of
    those columns changed, by anyone but a pack load are locally modified."""

    def run(apps: Any, schema_editor: Any) -> None:
        events = apps.get_model("audit", "AuditEvent").objects.exclude(actor_label__startswith=LOADER_LABEL)
        for name, columns in watched.items():
            edited = set()
            for event in events.filter(object_type=f"{app_label}.{name.lower()}", action__in=["create", "update"]).iterator():
                before, after = event.before or {}, event.after or {}
                if event.action == "create" or any(before.get(c) != after.get(c) for c in columns):
                    edited.add(event.object_id)
            rows = apps.get_model(app_label, name)._default_manager
            rows.filter(pk__in=[int(i) for i in edited if i.isdecimal()]).update(locally_modified=True)

    return run
