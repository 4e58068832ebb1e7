"""Pack section ``scoring.yaml``: grade schemes and scoring models (a new version when changed)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from .models import GradeScheme, ModelVersion, ScoreModel
from .spec import GradeSchemeSpec, ScorecardSpec


class ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    scheme: str
    note: str = ""
    description: str = ""
    scorecard: ScorecardSpec


class ScoringFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade_schemes: list[GradeSchemeSpec] = []
    models: list[ModelSpec] = []


def load_scoring(pack: str, data: Any) -> dict[str, int]:
    from .lifecycle import snapshot_indicators, validate_version

    parsed = ScoringFile.model_validate(data or {})
    counts = {"等级方案": 0, "模型版本": 0}
    for s in parsed.grade_schemes:
        levels = [lv.model_dump() for lv in s.levels]
        obj, created = GradeScheme.objects.get_or_create(code=s.code, defaults={"name": s.name, "pack": pack, "levels": levels})
        if not created and (obj.levels != levels or obj.name != s.name):
            obj.levels, obj.name = levels, s.name
            obj.save()
        counts["等级方案"] += 1
    for m in parsed.models:
        scheme = GradeScheme.objects.get(code=m.scheme)
        model, _ = ScoreModel.objects.update_or_create(
            code=m.code, defaults={"name": m.name, "pack": pack, "scheme": scheme, "description": m.description}
        )
        spec = m.scorecard.model_dump(mode="json", by_alias=True)
        latest = model.versions.order_by("-number").first()
        if latest is not None and latest.spec == spec and latest.levels == scheme.levels:
            continue
        version = ModelVersion.objects.create(
            model=model, number=(latest.number + 1) if latest else 1, spec=spec, note=m.note or "业务包内置版本"
        )
        validate_version(version)
        snapshot_indicators(version)
        if model.published() is None:
            # The version a pack ships is reviewed with the pack; it is in force on load.
            version.status = ModelVersion.Status.PUBLISHED
            version.published_at = timezone.now()
            version.save()
        counts["模型版本"] += 1
    return counts
