"""The grade-history chart on the subject page: grade bands from the thresholds, one point per run."""

from __future__ import annotations

import json
import re
from typing import Any

from regwatch.scoring import runs
from regwatch.scoring.models import ModelVersion, ScoringRun
from regwatch.subjects.models import Subject
from tests.conftest import TODAY


def _chart_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="grade-history-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the subject page has no grade-history data"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_history_has_the_bands_and_keeps_same_day_runs_apart(world: None, overseer_client: Any) -> None:
    version = ModelVersion.objects.filter(model__pack="food_credit", status=ModelVersion.Status.PUBLISHED).first()
    assert version is not None
    again = runs.run_scoring(version, as_of=TODAY, trigger="test")  # a second run on the same as-of date
    subject = Subject.objects.filter(pack="food_credit", scores__run=again).first()
    assert subject is not None
    data = _chart_data(overseer_client.get(f"/subjects/{subject.pk}/").content.decode())

    same_day = [p for p in data["points"] if p["as_of"] == TODAY.isoformat()]
    assert len(same_day) >= 2 and len({p["run"] for p in same_day}) == len(same_day)
    assert same_day[-1]["run"] == again.pk and same_day[-1]["level_name"]

    levels = version.levels or again.scheme.levels
    assert [(b["code"], b["min"], b["max"], b["color"]) for b in data["bands"]] == [
        (lv["code"], lv["min"], lv["max"], lv["color"]) for lv in levels
    ]
    assert data["bands"][0]["min"] == 0 and data["bands"][-1]["max"] == 100
    assert ScoringRun.objects.get(pk=again.pk).status == ScoringRun.Status.PUBLISHED
