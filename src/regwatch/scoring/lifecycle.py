"""Model version lifecycle: draft → validated → dry-run → published → retired; compare; restore.

Publishing needs a user other than the author (two-person rule); every transition is an audited
save of the version.  Publishing retires the previous version and runs a full scoring.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from regwatch.audit.operations import key_operation
from regwatch.indicators.services import library

from .models import CurrentGrade, ModelVersion, ScoreModel
from .spec import GradeSchemeSpec, ScorecardSpec

S = ModelVersion.Status


def scorecard(version: ModelVersion) -> ScorecardSpec:
    return ScorecardSpec.model_validate(version.spec)


def scheme_spec(version: ModelVersion) -> GradeSchemeSpec:
    m = version.model
    levels = version.levels or m.scheme.levels
    return GradeSchemeSpec.model_validate({"code": m.scheme.code, "name": m.scheme.name, "levels": levels})


def validate_version(version: ModelVersion) -> ScorecardSpec:
    """Raise ``ValidationError`` (Chinese message) unless the scorecard is consistent."""
    try:
        card = ScorecardSpec.model_validate(version.spec)
        scheme = scheme_spec(version)
        card.check_against({i.code for i in library(version.model.pack)}, scheme)
    except ValueError as exc:
        raise ValidationError(_message(exc)) from exc
    return card


def _message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "；".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors())
    return str(exc)


def snapshot_indicators(version: ModelVersion) -> None:
    version.indicators = [i.model_dump(mode="json") for i in library(version.model.pack)]
    version.levels = version.model.scheme.levels
    version.save(update_fields=["indicators", "levels"])


def create_draft(
    model: ScoreModel,
    spec: dict[str, Any],
    user: Any,
    note: str = "",
    restored_from: ModelVersion | None = None,
    levels: list[dict[str, Any]] | None = None,
) -> ModelVersion:
    """A new draft version, saved once (one audit event); ``levels``: the thresholds and colours, the scheme's by default."""
    latest = model.versions.order_by("-number").first()
    return ModelVersion.objects.create(
        model=model,
        number=(latest.number + 1) if latest else 1,
        spec=spec,
        author=user if getattr(user, "is_authenticated", False) else None,
        note=note,
        restored_from=restored_from,
        levels=model.scheme.levels if levels is None else levels,
    )


def mark_validated(version: ModelVersion) -> ModelVersion:
    if version.status not in (S.DRAFT, S.VALIDATED, S.DRY_RUN):
        raise ValidationError("只有草稿版本可以校验")
    validate_version(version)
    with key_operation() as op:
        op.about(version)
        snapshot_indicators(version)
        version.status = S.VALIDATED
        version.validated_at = timezone.now()
        version.save()
    return version


def check_dry_run(version: ModelVersion) -> None:
    if version.status not in (S.VALIDATED, S.DRY_RUN):
        raise ValidationError("请先校验该版本，再进行试算")


def check_publish(version: ModelVersion, user: Any) -> None:
    if version.status != S.DRY_RUN:
        raise ValidationError("只有完成试算的版本可以发布")
    if version.author_id is not None and getattr(user, "pk", None) == version.author_id:
        raise PermissionDenied("发布须由编制人以外的另一名用户审核（双人复核）")
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("发布须由已登录的审核人完成")


def _step(progress: Any, message: str) -> None:
    """Advance an ``ops.progress`` job by one step (dry-runs and publishes run as background jobs)."""
    if progress is not None:
        progress.advance(1, message)


def dry_run(
    version: ModelVersion, as_of: dt.date | None = None, user: Any = None, engine: str = "duckdb", progress: Any = None
) -> dict[str, Any]:
    """Score every subject with this version without publishing; distribution and migration matrix."""
    check_dry_run(version)
    with key_operation() as op:  # one event on the version: its dry run (the run's own event folds in)
        op.about(version)
        return _dry_run(version, as_of, user, engine, progress)


def _dry_run(version: ModelVersion, as_of: dt.date | None, user: Any, engine: str, progress: Any) -> dict[str, Any]:
    from .runs import run_scoring

    run = run_scoring(version, as_of=as_of, user=user, engine=engine, publish=False, trigger="dry_run")
    _step(progress, f"已试算 {run.subject_count} 户，正在计算等级迁移")
    current = dict(CurrentGrade.objects.filter(scheme=version.model.scheme).values_list("subject_id", "level"))
    levels = [lv["code"] for lv in (version.levels or version.model.scheme.levels)]
    matrix = {a: dict.fromkeys(levels, 0) for a in ["-", *levels]}
    for subject_id, level in run.scores.values_list("subject_id", "level"):
        matrix[current.get(subject_id, "-")][level] += 1
    result = {"run": run.pk, "as_of": run.as_of.isoformat(), "distribution": run.distribution, "migration": matrix}
    version.dry_run = result
    version.status = S.DRY_RUN
    version.save()
    _step(progress, "试算完成")
    return result


def publish(version: ModelVersion, user: Any, as_of: dt.date | None = None, engine: str = "duckdb", progress: Any = None) -> Any:
    """Publish (two-person rule), retire the previous version, then score everyone with it."""
    check_publish(version, user)
    with key_operation() as op:  # one event on the version; the retired one, the scheme and the run fold in
        op.about(version)
        return _publish(version, user, as_of, engine, progress)


def _publish(version: ModelVersion, user: Any, as_of: dt.date | None, engine: str, progress: Any) -> Any:
    from .runs import run_scoring

    with transaction.atomic():
        for old in ModelVersion.objects.select_for_update().filter(model=version.model, status=S.PUBLISHED):
            old.status = S.RETIRED
            old.retired_at = timezone.now()
            old.save()
        version.status = S.PUBLISHED
        version.published_by = user
        version.published_at = timezone.now()
        version.save()
        scheme = version.model.scheme
        if version.levels and version.levels != scheme.levels:
            scheme.levels = version.levels  # the published thresholds and colours are the ones shown
            scheme.save()
    _step(progress, "已发布，正在全量评分")
    run = run_scoring(version, as_of=as_of, user=user, engine=engine, trigger="publish")
    _step(progress, f"已完成 {run.subject_count} 户评分")
    return run


def retire(version: ModelVersion) -> None:
    version.status = S.RETIRED
    version.retired_at = timezone.now()
    version.save()


def restore(version: ModelVersion, user: Any) -> ModelVersion:
    """An earlier version becomes a new draft (it must go through validation and review again)."""
    return create_draft(version.model, version.spec, user, note=f"恢复自 v{version.number}", restored_from=version)


def compare(a: ModelVersion, b: ModelVersion) -> dict[str, Any]:
    """Weights, points/bins, floors and thresholds of two versions side by side."""

    def flat(v: ModelVersion) -> dict[str, dict[str, str]]:
        card = v.spec
        out: dict[str, dict[str, str]] = {"权重": {}, "评分规则": {}, "底线规则": {}, "等级区间": {}}
        for c in card.get("categories", []):
            out["权重"][c["name"]] = f"{c['weight']:g}%"
            for item in c["items"]:
                if item.get("bins") is not None:
                    rule = "；".join(f"≥{b['from']:g}:{b['points']:+g}" for b in item["bins"])
                else:
                    rule = f"公式 {item.get('formula')}"
                out["评分规则"][f"{c['name']}/{item['indicator']}"] = rule
        for f in card.get("floors", []):
            out["底线规则"][f["code"]] = f"{f['when']} → 不低于{f['min_level']}"
        for lv in v.levels or v.model.scheme.levels:
            out["等级区间"][lv["code"]] = f"[{lv['min']:g}, {lv['max']:g}) {lv['name']} {lv['color']}"
        return out

    fa, fb = flat(a), flat(b)
    rows = []
    for section in fa:
        for key in sorted(set(fa[section]) | set(fb[section])):
            va, vb = fa[section].get(key, "—"), fb[section].get(key, "—")
            rows.append({"section": section, "key": key, "a": va, "b": vb, "changed": va != vb})
    return {"a": a.number, "b": b.number, "rows": rows}
