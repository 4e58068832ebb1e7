"""Quality listens to intake: the rules of ``intake.yaml`` and the gate (质检) after every batch."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from regwatch.intake.models import Batch, Source
from regwatch.intake.signals import batch_finished, section_loaded

from .models import QualityRule
from .services import gate, measure_batch


@receiver(section_loaded, dispatch_uid="regwatch.quality.rules")
def load_quality_rules(sender: Any, pack: str, section: Any, known: set[str], **kwargs: Any) -> dict[str, int]:
    created = 0
    for q in section.quality_rules:
        if q.dataset not in known:
            raise ValueError(f"quality rule {q.code}: unknown dataset {q.dataset}")
        _, new = QualityRule.objects.update_or_create(code=q.code, defaults={**q.model_dump(exclude={"code"}), "pack": pack})
        created += int(new)
    return {"质量规则": created}


@receiver(batch_finished, dispatch_uid="regwatch.quality.gate")
def quality_gate(sender: Any, source: Source, batch: Batch, **kwargs: Any) -> None:
    """Measure the batch against its dataset's rules; a failed rule marks the batch and its source."""
    measurements = measure_batch(batch)
    if not measurements:
        return
    state, messages = gate(measurements)
    batch.quality_gate = state
    batch.notes += [f"质量规则未达标：{m}" for m in messages]
    Batch.objects.filter(pk=batch.pk).update(quality_gate=state, notes=batch.notes)
    if state != "passed":
        health = Source.Health.ERROR if state == "blocked" else Source.Health.WARNING
        Source.objects.filter(pk=source.pk).update(health=health)
