"""Grade changes proposed and decided in scoring appear in the 审批 list (one mirror each)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from regwatch.scoring.models import GradeOverride

from .services import mirror_override


@receiver(post_save, sender=GradeOverride, dispatch_uid="regwatch.approvals.override")
def on_override_saved(sender: Any, instance: GradeOverride, **kwargs: Any) -> None:
    mirror_override(instance)
