"""What other apps read from scoring (the warnings app relies on these three functions)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from .models import CurrentGrade, GradeOverride, GradeScheme, Score, ScoringRun


def indicator_values(run_id: int) -> dict[int, dict[str, float | None]]:
    """subject_id → indicator code → value, for every subject scored in the run."""
    return {sid: detail.get("v", {}) for sid, detail in Score.objects.filter(run_id=run_id).values_list("subject_id", "detail").iterator()}


def previous_run_id(run_id: int) -> int | None:
    """The published run of the same scheme that was in force before this one."""
    run = ScoringRun.objects.get(pk=run_id)
    qs = ScoringRun.objects.filter(scheme_id=run.scheme_id, status=ScoringRun.Status.PUBLISHED).exclude(pk=run.pk)
    if run.published_at is not None:
        qs = qs.filter(Q(published_at__lt=run.published_at) | Q(published_at=run.published_at, pk__lt=run.pk))
    else:
        qs = qs.filter(pk__lt=run.pk)
    prev = qs.order_by("-published_at", "-pk").first()
    return prev.pk if prev else None


def default_scheme() -> GradeScheme | None:
    return GradeScheme.objects.order_by("pk").first()


def active_overrides(subject_ids: Iterable[int] | None = None, scheme: GradeScheme | None = None) -> dict[int, GradeOverride]:
    qs = GradeOverride.objects.filter(status=GradeOverride.Status.APPROVED, expires_on__gte=timezone.localdate())
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if subject_ids is not None:
        qs = qs.filter(subject_id__in=list(subject_ids))
    out: dict[int, GradeOverride] = {}
    for o in qs.select_related("proposed_by", "approved_by").order_by("decided_at", "pk"):
        out[o.subject_id] = o  # the latest approved wins
    return out


def current_grades(subject_ids: Iterable[int] | None = None, scheme: str | None = None) -> dict[int, tuple[str, float]]:
    """subject_id → (level code, score) in force, approved unexpired overrides applied."""
    sch = GradeScheme.objects.filter(code=scheme).first() if scheme else default_scheme()
    if sch is None:
        return {}
    ids = list(subject_ids) if subject_ids is not None else None
    qs = CurrentGrade.objects.filter(scheme=sch)
    if ids is not None:
        qs = qs.filter(subject_id__in=ids)
    grades = {sid: (level, score) for sid, level, score in qs.values_list("subject_id", "level", "score").iterator()}
    for sid, o in active_overrides(ids, sch).items():
        if sid in grades:
            grades[sid] = (o.level, grades[sid][1])
    return grades
