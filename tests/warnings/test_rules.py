"""Warning rules: pure evaluators, each rule kind end to end, dedupe, cooldown, suppression."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from regwatch.core.text import render_message
from regwatch.scoring.signals import grade_changed
from regwatch.subjects.models import Record, RecordType, Subject, SubjectTag, Tag
from regwatch.warnings import rules
from regwatch.warnings.firing import evaluate_indicators, fire, matches
from regwatch.warnings.models import Suppression, Warning, WarningRule


def test_indicator_rules_are_evaluated_set_wise_over_plain_mappings() -> None:
    current = {1: {"x": 0.9, "y": 10.0}, 2: {"x": 0.2, "y": 30.0}, 3: {"x": None, "y": 5.0}}
    previous = {1: {"y": 10.0}, 2: {"y": 10.0}, 3: {"y": 0.0}}
    hits = evaluate_indicators(
        [
            ("hi", {"indicator": "x", "op": "above", "threshold": 0.5}),
            ("lo", {"indicator": "x", "op": "below", "threshold": 0.5}),
            ("rise", {"indicator": "y", "op": "rise_ratio", "threshold": 1.0}),
        ],
        current,
        previous,
    )
    got = {(h.rule_code, h.subject_id) for h in hits}
    assert got == {("hi", 1), ("lo", 2), ("rise", 2)}  # 3: no value / previous 0 never fires
    rise = next(h for h in hits if h.rule_code == "rise")
    assert rise.context["ratio"] == 2.0 and rise.context["previous"] == 10.0


def test_match_and_message_template() -> None:
    assert matches({"result": "fail"}, {"result": "fail"}) and not matches({"result": "pass"}, {"result": "fail"})
    assert matches({"result": "fail"}, {"result": ["fail", "basic_pass"]}) and matches({}, {})
    assert render_message("{subject}近{days}天{count}件{unknown}", {"subject": "甲", "days": 90, "count": 3}) == "甲近90天3件{unknown}"


def _subject(kind: str = "food_enterprise") -> Subject:
    return Subject.objects.filter(kind__code=kind).order_by("pk").first()  # type: ignore[return-value]


def _add(subject: Subject, code: str, days_ago: int = 0, **data: Any) -> Record:
    return Record.objects.create(
        subject=subject,
        record_type=RecordType.objects.get(code=code),
        occurred_on=timezone.localdate() - dt.timedelta(days=days_ago),
        source="test",
        data=data,
    )


def test_pack_declares_every_rule_kind(world: None) -> None:
    kinds = set(WarningRule.objects.values_list("kind", flat=True))
    assert kinds >= {"grade_drop", "indicator", "new_record", "record_count", "list_hit", "overdue"}


def test_new_penalty_fires_once_with_chinese_message(world: None, django_capture_on_commit_callbacks: Any) -> None:
    s = _subject()
    with django_capture_on_commit_callbacks(execute=True):
        rec = _add(s, "penalty", decision_no="X1", penalty_type="fine")
    w = Warning.objects.get(subject=s, rule_key="new_penalty")
    assert w.level == "orange" and w.data["record_id"] == rec.pk and s.name in w.message and "新增行政处罚" in w.message
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "complaint")  # another type: the penalty rule is not evaluated again
    assert Warning.objects.filter(subject=s, rule_key="new_penalty").count() == 1


def test_failed_inspection_filters_on_record_data(world: None, django_capture_on_commit_callbacks: Any) -> None:
    s = _subject()
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "routine_inspection", result="pass")
    assert not Warning.objects.filter(subject=s, rule_key="failed_inspection").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "routine_inspection", result="fail")
    assert Warning.objects.filter(subject=s, rule_key="failed_inspection", status="new").count() == 1


def test_complaint_cluster_counts_records_in_the_window(world: None, django_capture_on_commit_callbacks: Any) -> None:
    s = Subject.objects.exclude(records__record_type__code="complaint").first()
    assert s is not None
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "complaint", days_ago=200)  # outside the 90-day window
        _add(s, "complaint", days_ago=10)
        _add(s, "complaint", days_ago=5)
    assert not Warning.objects.filter(subject=s, rule_key="complaint_cluster").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "complaint", days_ago=1)
    w = Warning.objects.get(subject=s, rule_key="complaint_cluster")
    assert "近90天收到3件投诉举报" in w.message
    with django_capture_on_commit_callbacks(execute=True):
        _add(s, "complaint")
    w.refresh_from_db()
    assert Warning.objects.filter(subject=s, rule_key="complaint_cluster").count() == 1 and w.hit_count == 2


def test_list_hit_fires_when_the_tag_is_assigned(world: None, django_capture_on_commit_callbacks: Any) -> None:
    s = Subject.objects.exclude(tags__tag__code="serious_violation_list").first()
    assert s is not None
    with django_capture_on_commit_callbacks(execute=True):
        SubjectTag.objects.create(subject=s, tag=Tag.objects.get(code="serious_violation_list"))
    w = Warning.objects.get(subject=s, rule_key="serious_violation_list")
    assert w.level == "red" and "严重违法失信名单" in w.message


def test_overdue_rectification_is_found_by_the_daily_scan(world: None) -> None:
    s = _subject()
    _add(s, "rectification", days_ago=40, deadline=(timezone.localdate() - dt.timedelta(days=10)).isoformat(), completed=False)
    rules.check_overdue()
    w = Warning.objects.get(subject=s, rule_key="rectification_overdue", data__overdue_days=10)
    assert "已过10天仍未完成整改" in w.message


def test_grade_drop_from_the_real_signal(world: None) -> None:
    s = _subject()
    grade_changed.send(
        sender=None,
        subject_id=s.pk,
        scheme="food_credit",
        old_level="B",
        new_level="D",
        old_score=80.0,
        new_score=40.0,
        as_of=dt.date(2026, 11, 1),
        run_id=None,
        direction="down",
    )
    w = Warning.objects.get(subject=s, rule_key="grade_drop_to_d")
    assert w.level == "red" and "由B级降为D级" in w.message
    assert not Warning.objects.filter(subject=s, rule_key="grade_drop").exists()  # to_levels B/C only
    grade_changed.send(
        sender=None,
        subject_id=s.pk,
        scheme="food_credit",
        old_level="D",
        new_level="C",
        old_score=40.0,
        new_score=55.0,
        as_of=dt.date(2026, 11, 1),
        run_id=None,
        direction="up",
    )
    assert Warning.objects.filter(subject=s).count() == 1  # improvement is no drop


def test_scope_kinds_cooldown_and_suppression(world: None, admin: Any) -> None:
    s = _subject("food_individual")
    rule = WarningRule.objects.get(code="complaint_cluster")
    rule.subject_kinds = ["food_enterprise"]
    assert fire(s, rule=rule) is None  # outside the rule's subject kinds
    rule.subject_kinds = []
    w = fire(s, rule=rule, context={"count": 3, "days": 90})
    assert w is not None and fire(s, rule=rule) is None  # one open warning
    Warning.objects.filter(pk=w.pk).update(status="closed", closed_at=timezone.now())
    assert fire(s, rule=rule) is None  # 30-day cooldown after closure
    rule.cooldown_days = 0
    Suppression.objects.create(subject=s, rule_key=rule.code, until=timezone.now() + dt.timedelta(days=1), reason="整改期内")
    assert fire(s, rule=rule) is None
    Suppression.objects.all().delete()
    assert fire(s, rule=rule) is not None


def test_disabled_rule_does_not_fire(world: None) -> None:
    s = _subject()
    rule = WarningRule.objects.get(code="new_penalty")
    rule.enabled = False
    assert fire(s, rule=rule) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"rules": [{"code": "x", "name": "x", "kind": "indicator", "message": "m"}]},
        {"rules": [{"code": "x", "name": "x", "kind": "nope", "message": "m"}]},
    ],
)
def test_rules_yaml_is_validated(bad: dict[str, Any]) -> None:
    from pydantic import ValidationError

    from regwatch.warnings.packsection import RulesFile

    with pytest.raises(ValidationError):
        RulesFile.model_validate(bad)


def test_indicator_rules_fire_when_a_real_scoring_run_is_published(world: None, django_capture_on_commit_callbacks: Any) -> None:
    import datetime as _dt

    from regwatch.scoring import read, runs
    from regwatch.scoring.models import ModelVersion

    version = ModelVersion.objects.select_related("model__scheme").get(model__code="food_credit", status="published")
    # The world was graded when built; start from an empty pool for these rules to see what each run fires.
    Warning.objects.filter(rule_key__in=["inspection_fail_rate_high", "complaint_rise"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        first = runs.run_scoring(version, as_of=_dt.date(2025, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.run_scoring(version, as_of=_dt.date(2026, 11, 1))
    values = read.indicator_values(run.pk)
    above = {sid for sid, v in values.items() if (v.get("inspection_fail_rate") or 0) > 0.5}
    before = {sid for sid, v in read.indicator_values(first.pk).items() if (v.get("inspection_fail_rate") or 0) > 0.5}
    fired = set(Warning.objects.filter(rule_key="inspection_fail_rate_high").values_list("subject_id", flat=True))
    assert above and fired == above | before  # one open warning per subject, however many runs fired it
    rises = Warning.objects.filter(rule_key="complaint_rise")
    assert all(w.data["ratio"] >= 1.0 and w.data["previous"] > 0 for w in rises)
    w = Warning.objects.filter(rule_key="inspection_fail_rate_high").first()
    assert w is not None and "检查不符合率为" in w.message and w.data["run_id"] == run.pk
