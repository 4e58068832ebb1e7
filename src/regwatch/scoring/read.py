"""What other apps and scoring's own pages read: indicator values, previous runs, schemes and grades in force.

Grades always belong to a grade scheme (one per scoring model, declared by a pack); nothing
here picks a scheme for the caller except ``schemes_for`` / ``choose_scheme``, which rank the
schemes a user or a subject actually has grades in.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
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


def schemes_for(grades: QuerySet[CurrentGrade]) -> list[GradeScheme]:
    """The schemes the given current grades fall in, the one with the most grades first (then by code)."""
    counts = dict(grades.values_list("scheme").annotate(n=Count("pk")).order_by())
    schemes = GradeScheme.objects.filter(pk__in=list(counts))
    return sorted(schemes, key=lambda s: (-counts[s.pk], s.code))


def choose_scheme(grades: QuerySet[CurrentGrade], code: str | None) -> tuple[GradeScheme | None, list[GradeScheme]]:
    """(chosen scheme, every scheme on offer): ``code`` when it is on offer, else the scheme with the most grades."""
    offered = schemes_for(grades)
    chosen = next((s for s in offered if s.code == code), offered[0] if offered else None)
    return chosen, offered


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


def current_grades(subject_ids: Iterable[int] | None = None, *, scheme: str) -> dict[int, tuple[str, float]]:
    """subject_id → (level code, score) in force in grade scheme ``scheme``, approved unexpired overrides applied."""
    sch = GradeScheme.objects.filter(code=scheme).first()
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
