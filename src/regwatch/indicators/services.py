"""Loading and saving indicators; every definition change becomes a new version."""

from __future__ import annotations

from typing import Any

from regwatch.packs.tracking import CREATED, UPDATED, sync

from .models import Indicator
from .spec import IndicatorFile, IndicatorSpec


def upsert_indicator(pack: str, spec: IndicatorSpec) -> bool:
    """Create or update from a pack (a local edit is kept, see packs/tracking.py);
    ``Indicator.save`` validates and versions the change."""
    data = spec.model_dump(mode="json", exclude={"code"})
    values = {("calculation" if k == "calc" else k): v for k, v in data.items()}
    return sync(Indicator, {"pack": pack, "code": spec.code}, values) in (CREATED, UPDATED)


def load_indicators(pack: str, data: Any) -> dict[str, int]:
    parsed = IndicatorFile.model_validate(data or {"indicators": []})
    changed = sum(upsert_indicator(pack, spec) for spec in parsed.indicators)
    return {"指标": changed}


def library(pack: str, enabled_only: bool = True) -> list[IndicatorSpec]:
    qs = Indicator.objects.filter(pack=pack)
    if enabled_only:
        qs = qs.filter(enabled=True)
    return [IndicatorSpec.model_validate(i.spec_dict()) for i in qs]
