"""Statistics count only what the user may see: the inspector (西湖区 only) against a city-wide business user (the overseer).

Rule hit counts, a run's grade distribution, a dry run's migration matrix, the grade distribution
page, work-order timeliness and the quality report.  The data comes from tests/builders.py, one
object inside 西湖区 and one outside, on top of whatever the world already holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regwatch.accounts.scope import visible
from regwatch.quality.models import Measurement
from regwatch.quality.services import scores as quality_scores
from regwatch.scoring.models import CurrentGrade, Score, ScoringRun
from regwatch.scoring.panels import run_context, version_context
from regwatch.warnings.models import Warning, WarningRule
from regwatch.workorders.models import WorkOrder
from tests.builders import World, build, make_world


@pytest.fixture
def both(inspector: Any, admin: Any) -> World:
    return make_world(inspector, admin)


def test_rule_page_counts_only_visible_warnings(both: World, inspector_client: Any, overseer_client: Any) -> None:
    rule = WarningRule.objects.order_by("pk").first()
    assert rule is not None
    inside, outside = build(Warning, both)
    Warning.objects.filter(pk__in=[inside.pk, outside.pk]).update(rule=rule, outcome="false_alarm")
    mine = inspector_client.get(f"/warning-rules/{rule.pk}/").context
    everyone = overseer_client.get(f"/warning-rules/{rule.pk}/").context
    assert mine["total"] == visible(rule.warnings.all(), both.user).count()
    assert everyone["total"] == rule.warnings.count()
    assert everyone["total"] - mine["total"] >= 1
    assert everyone["false_alarms"] - mine["false_alarms"] >= 1


def _run_with_two_scores(both: World) -> ScoringRun:
    inside, outside = build(Score, both)
    assert inside.run_id == outside.run_id
    return inside.run  # type: ignore[no-any-return]


def test_run_page_distribution_counts_only_visible_scores(both: World, inspector_client: Any, overseer_client: Any) -> None:
    run = _run_with_two_scores(both)
    mine = run_context(run, both.user)
    everyone = run_context(run, both.other)
    assert (mine["seen"], everyone["seen"]) == (1, 2)
    assert sum(n for _, n in mine["distribution"]) == 1
    assert [s.subject_id for s in mine["top"]] == [both.inside.pk]
    body = inspector_client.get(f"/scoring-runs/{run.pk}/").content.decode()
    assert "您的数据范围内 1 户" in body and both.outside.name not in body
    assert "您的数据范围内 2 户" in overseer_client.get(f"/scoring-runs/{run.pk}/").content.decode()


def test_dry_run_migration_matrix_counts_only_visible_subjects(both: World) -> None:
    run = _run_with_two_scores(both)
    version = run.version
    version.dry_run = {"run": run.pk}
    version.save(update_fields=["dry_run"])
    mine, everyone = version_context(version, both.user), version_context(version, both.other)
    assert sum(sum(row) for _, row in mine["migration"]) == 1
    assert sum(sum(row) for _, row in everyone["migration"]) == 2
    assert sum(n for _, n in mine["dry_distribution"]) == 1


def test_grade_distribution_page_counts_only_visible_grades(both: World, inspector_client: Any, overseer_client: Any) -> None:
    build(CurrentGrade, both)
    mine = inspector_client.get("/scoring/distribution/").context
    everyone = overseer_client.get("/scoring/distribution/").context
    scheme = mine["scheme"]
    grades = CurrentGrade.objects.filter(scheme=scheme)
    assert mine["total"] == visible(grades, both.user).count() >= 1
    assert everyone["total"] == grades.count() > mine["total"]


def test_work_order_statistics_count_only_visible_orders(both: World, inspector_client: Any, overseer_client: Any) -> None:
    build(WorkOrder, both)
    mine = inspector_client.get("/workorders/stats/").context  # the last 30 days: the orders just built
    everyone = overseer_client.get("/workorders/stats/").context
    assert mine["totals"]["created"] == sum(r["created"] for r in mine["by_org"]) == visible(WorkOrder.objects.all(), both.user).count()
    assert everyone["totals"]["created"] == WorkOrder.objects.count() > mine["totals"]["created"]


def test_quality_report_counts_only_visible_measurements(both: World) -> None:
    inside, outside = build(Measurement, both)
    period = dt.date(2031, 1, 1)  # a month of its own: only these two measurements
    Measurement.objects.filter(pk=inside.pk).update(period=period, total=10, passed=9)
    Measurement.objects.filter(pk=outside.pk).update(period=period, total=10, passed=1)
    mine, everyone = quality_scores(period, user=both.user), quality_scores(period, user=both.other)
    assert dict(mine["source"]) == {inside.source.name: 90.0}
    assert dict(everyone["source"]) == {inside.source.name: 50.0}
