"""Pack section ``scoring.yaml``: grade schemes and scoring models (a new version when changed)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict

from regwatch.packs.tracking import CREATED, UPDATED, sync, sync_version

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
    """Schemes and models are kept in step with the pack; a changed scorecard becomes a new version.

    A locally edited scheme or model, or a local newer version (an adjusted draft, a restored
    version), is kept and reported as a conflict unless the load is forced (packs/tracking.py).
    """
    parsed = ScoringFile.model_validate(data or {})
    counts = {"等级方案": 0, "模型版本": 0}
    pack_levels = {s.code: [lv.model_dump() for lv in s.levels] for s in parsed.grade_schemes}
    for s in parsed.grade_schemes:
        values = {"name": s.name, "pack": pack, "levels": pack_levels[s.code]}
        counts["等级方案"] += sync(GradeScheme, {"code": s.code}, values) in (CREATED, UPDATED)
    for m in parsed.models:
        scheme = GradeScheme.objects.get(code=m.scheme)
        sync(ScoreModel, {"code": m.code}, {"name": m.name, "pack": pack, "scheme": scheme, "description": m.description})
        model = ScoreModel.objects.get(code=m.code)
        # A version's definition is the pack's scorecard with the pack's thresholds, even where the
        # scheme itself was edited locally: the version grades with its own levels until published.
        levels = pack_levels.get(m.scheme, model.scheme.levels)
        content = {"spec": m.scorecard.model_dump(mode="json", by_alias=True), "levels": levels}
        versions = model.versions.order_by("-number")
        current = versions.exclude(status=ModelVersion.Status.RETIRED).first()
        outcome = sync_version(current, versions, content, partial(_new_version, model, content, m.note))
        counts["模型版本"] += outcome in (CREATED, UPDATED)
    return counts


def _new_version(model: ScoreModel, content: dict[str, Any], note: str) -> ModelVersion:
    from .lifecycle import snapshot_indicators, validate_version

    latest = model.versions.order_by("-number").first()
    version = ModelVersion.objects.create(
        model=model, number=(latest.number + 1) if latest else 1, note=note or "业务包内置版本", **content
    )
    validate_version(version)
    snapshot_indicators(version)
    if version.levels != content["levels"]:
        version.levels = content["levels"]
        version.save(update_fields=["levels"])
    if model.published() is None:
        # The version a pack ships is reviewed with the pack; it is in force on load.
        version.status = ModelVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save()
    return version
