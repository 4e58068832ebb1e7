"""The grade and score that scoring adds to the subject list, and the grade and scheme filters.

Subjects know nothing of scoring (it sits above them); ``objects.py`` adds these through
``web.registry.extend_list``.  The list shows one grade scheme at a time, named above the table:
the one filtered by, else the one most of the user's graded subjects are in (``read.choose_scheme``,
as on the distribution page).  The grade is the one in force: an approved, unexpired override
replaces the computed level, as on the subject page.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from regwatch.accounts.scope import visible

from .models import CurrentGrade, GradeOverride, GradeScheme
from .read import choose_scheme

NO_COLOR = "#999999"


def one_decimal(score: float) -> float:
    """A score as the subject page shows it (half up, like ``floatformat:1``), still a number for Excel."""
    return float(Decimal(str(score)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def level_in_force(scheme: GradeScheme) -> Any:
    """The outer subject's level in ``scheme`` (None when it has no grade there), overrides applied."""
    grade = CurrentGrade.objects.filter(subject=OuterRef("pk"), scheme=scheme)
    override = GradeOverride.objects.filter(
        subject=OuterRef("pk"), scheme=scheme, status=GradeOverride.Status.APPROVED, expires_on__gte=timezone.localdate()
    ).order_by("-decided_at", "-pk")
    return Case(
        When(Exists(grade), then=Coalesce(Subquery(override.values("level")[:1]), Subquery(grade.values("level")[:1]))),
        default=Value(None),
        output_field=CharField(),
    )


def score_in(scheme: GradeScheme) -> Any:
    grade = CurrentGrade.objects.filter(subject=OuterRef("pk"), scheme=scheme)
    return Subquery(grade.values("score")[:1], output_field=FloatField())


def grade_value(scheme: GradeScheme, level: str) -> str:
    """The grade filter's value: the scheme's code and the level's, so one dropdown serves every scheme."""
    return f"{scheme.code}:{level}"


def grade_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (s.name, [(grade_value(s, lv["code"]), s.level_label(lv["code"])) for lv in reversed(s.levels)])
        for s in GradeScheme.objects.order_by("code")
    ]


def scheme_choices() -> list[tuple[str, str]]:
    return list(GradeScheme.objects.order_by("code").values_list("code", "name"))


def filter_scheme(qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Subjects graded in the scheme."""
    return qs.filter(Exists(CurrentGrade.objects.filter(subject=OuterRef("pk"), scheme__code=value))) if value else qs


def filter_grade(qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Subjects whose grade in force is the chosen level of the chosen scheme."""
    code, _, level = value.rpartition(":")
    scheme = GradeScheme.objects.filter(code=code).first()
    if scheme is None:
        return qs.none()
    return qs.alias(grade_filter_level=level_in_force(scheme)).filter(grade_filter_level=level)


def shown_scheme(params: Mapping[str, str], user: Any) -> GradeScheme | None:
    """The scheme the grades are shown in: the scheme filter's, else the grade filter's, else the user's commonest."""
    code = params.get("scheme") or params.get("grade", "").rpartition(":")[0] or None
    # Asked for by the columns and the note of one request: remembered on its user object.
    cache = user.__dict__.setdefault("_shown_schemes", {}) if hasattr(user, "__dict__") else {}
    if code not in cache:
        scheme = GradeScheme.objects.filter(code=code).first() if code else None
        cache[code] = scheme or choose_scheme(visible(CurrentGrade.objects.all(), user), None)[0]
    return cache[code]


def annotate(qs: QuerySet[Any], params: Mapping[str, str], user: Any) -> QuerySet[Any]:
    """``risk_level``/``risk_label``/``risk_color``/``risk_rank`` (worse is higher) and ``risk_score`` in the shown scheme."""
    scheme = shown_scheme(params, user)
    if scheme is None:
        return qs.annotate(
            risk_level=Value(None, output_field=CharField()),
            risk_label=Value(None, output_field=CharField()),
            risk_color=Value(None, output_field=CharField()),
            risk_rank=Value(None, output_field=IntegerField()),
            risk_score=Value(None, output_field=FloatField()),
        )
    levels = scheme.levels
    qs = qs.annotate(risk_level=level_in_force(scheme), risk_score=score_in(scheme))

    def by_level(values: list[Any], field: Any, default: Any = None) -> Case:
        return Case(
            *[When(risk_level=lv["code"], then=Value(v)) for lv, v in zip(levels, values, strict=True)], default=default, output_field=field
        )

    return qs.annotate(
        risk_label=by_level([scheme.level_label(lv["code"]) for lv in levels], CharField(), F("risk_level")),
        risk_color=by_level([lv.get("color") or NO_COLOR for lv in levels], CharField(), Value(NO_COLOR)),
        risk_rank=by_level(list(range(len(levels))), IntegerField()),
    )


def note(params: Mapping[str, str], user: Any) -> str:
    scheme = shown_scheme(params, user)
    return f"风险等级与综合风险分按「{scheme.name}」显示" if scheme else ""


def level_counts(scheme: GradeScheme, subjects: QuerySet[Any]) -> dict[str, int]:
    """Subjects per level in force (for the landing page), over the given (visible) subjects."""
    rows = subjects.annotate(risk_level=level_in_force(scheme)).filter(risk_level__isnull=False).values("risk_level")
    return {r["risk_level"]: r["n"] for r in rows.annotate(n=Count("pk")).order_by()}
