"""The catalog follows intake: every loaded ``intake.yaml`` and every new mapping version."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from regwatch.intake.signals import mapping_changed, section_loaded

from .services import sync_catalog


@receiver(section_loaded, dispatch_uid="regwatch.catalog.section")
def on_section_loaded(sender: Any, pack: str, **kwargs: Any) -> dict[str, int]:
    return {"数据目录": sync_catalog(pack)}


@receiver(mapping_changed, dispatch_uid="regwatch.catalog.mapping")
def on_mapping_changed(sender: Any, pack: str | None, **kwargs: Any) -> None:
    sync_catalog(pack)
