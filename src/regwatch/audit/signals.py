"""One generic audit mechanism: model signals for every ``@audited`` model."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from .registry import is_audited
from .services import is_change, record_change, snapshot

_BEFORE = "_audit_before"


def _pre_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender) or instance.pk is None or instance._state.adding:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()  # type: ignore[attr-defined]
    setattr(instance, _BEFORE, snapshot(old) if old is not None else None)


def _post_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, _BEFORE, None)
    after = snapshot(instance)
    if not created and not is_change(instance, before, after):
        return
    record_change("create" if created else "update", instance, before, after)


def _post_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if is_audited(sender):
        record_change("delete", instance, snapshot(instance), None)


def connect() -> None:
    pre_save.connect(_pre_save, dispatch_uid="regwatch.audit.pre_save")
    post_save.connect(_post_save, dispatch_uid="regwatch.audit.post_save")
    post_delete.connect(_post_delete, dispatch_uid="regwatch.audit.post_delete")
