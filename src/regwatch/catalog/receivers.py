"""The catalog follows intake: every loaded ``intake.yaml`` and every new mapping version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from regwatch.intake.signals import mapping_changed, section_loaded

from .models import DatasetField
from .services import catalog_changed, sync_catalog


@receiver(section_loaded, dispatch_uid="regwatch.catalog.section")
def on_section_loaded(sender: Any, pack: str, **kwargs: Any) -> dict[str, int]:
    return {"数据目录": sync_catalog(pack)}


@receiver(mapping_changed, dispatch_uid="regwatch.catalog.mapping")
def on_mapping_changed(sender: Any, pack: str | None, **kwargs: Any) -> None:
    sync_catalog(pack)


@receiver(post_save, sender=DatasetField, dispatch_uid="regwatch.catalog.masking_saved")
@receiver(post_delete, sender=DatasetField, dispatch_uid="regwatch.catalog.masking_deleted")
def on_field_changed(sender: Any, **kwargs: Any) -> None:
    catalog_changed()  # masking follows the catalog at once (web.masking)
