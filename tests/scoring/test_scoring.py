"""Scoring on the generated world: grades, floors, runs, reproducibility, lifecycle, overrides, signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pydantic import ValidationError as PydanticError
from scipy.stats import spearmanr

from regwatch.audit.models import AuditEvent
from regwatch.packs.models import SyntheticTruth
from regwatch.scoring import lifecycle, overrides, read, runs, signals
from regwatch.scoring.models import CurrentGrade, GradeChange, GradeScheme, ModelVersion, Score, ScoringRun
from regwatch.scoring.spec import GradeSchemeSpec, ScorecardSpec
from regwatch.subjects.models import Record, RecordType, Subject
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db
FOOD = "food_credit_abcd"


def published() -> ModelVersion:
    return ModelVersion.objects.select_related("model__scheme").get(model__code="food_credit", status="published")


def scores(run: ScoringRun) -> dict[int, tuple[str, float]]:
    return {sid: (lvl, s) for sid, lvl, s in run.scores.values_list("subject_id", "level", "score")}


def test_grades_are_not_degenerate_and_follow_the_latent_risk(world: None) -> None:
    run = runs.run_scoring(published(), as_of=TODAY)
    assert run.status == "published" and run.subject_count == Subject.objects.filter(pack="food_credit").count() == 300
    assert set(run.distribution) == {"A", "B", "C", "D"} and min(run.distribution.values()) >= 10
    truth = dict(SyntheticTruth.objects.values_list("subject_id", "latent_risk"))
    got = scores(run)
    rho = spearmanr([got[s][1] for s in got], [truth[s] for s in got]).statistic
    assert rho >= 0.6, rho
    assert read.current_grades(scheme=FOOD) == {sid: (lvl, sc) for sid, (lvl, sc) in got.items()}


def test_floors_force_d_and_the_explanation_says_why(world: None) -> None:
    run = runs.run_scoring(published(), as_of=TODAY)
    rows = [s for s in run.scores.all() if "serious_list" in s.detail["f"]]
    assert rows, "the world has subjects with serious violations"
    assert all(s.level == "D" for s in rows)
    lifted = next((s for s in rows if s.score_level != "D"), None)
    assert lifted is not None, "some floored subject would have scored better than D"
    from regwatch.scoring.explain import explanation

    data = explanation(lifted)
    assert data["level"] == "D" and data["score_level"] != "D"
    assert any("严重违法" in f["reason"] for f in data["floors"])
    reasons = [i["reason"] for c in data["categories"] for i in c["items"]]
    assert any(r.endswith("分") and "次" in r for r in reasons)
    assert data["freshness"] and data["model_version"] == run.version.number


def test_grade_scheme_intervals_are_validated_with_chinese_messages() -> None:
    def scheme(*levels: tuple[str, float, float]) -> Any:
        return GradeSchemeSpec.model_validate(
            {"code": "x", "name": "x", "levels": [{"code": c, "name": c, "color": "#123456", "min": a, "max": b} for c, a, b in levels]}
        )

    assert scheme(("A", 0, 30), ("B", 30, 100)).index("B") == 1
    with pytest.raises(PydanticError, match="重叠"):
        scheme(("A", 0, 40), ("B", 30, 100))
    with pytest.raises(PydanticError, match="空档"):
        scheme(("A", 0, 20), ("B", 30, 100))
    with pytest.raises(PydanticError, match="顺序错误"):
        scheme(("A", 0, 100), ("B", -10, 0))
    with pytest.raises(PydanticError, match="下限必须为 0"):
        scheme(("A", 5, 30), ("B", 30, 100))
    with pytest.raises(PydanticError, match="下限 50 必须小于上限 40"):
        scheme(("A", 0, 50), ("B", 50, 40))


def test_category_weights_must_sum_to_100_and_bins_must_ascend() -> None:
    item = {"indicator": "x", "bins": [{"from": 1, "points": 10}]}
    with pytest.raises(PydanticError, match="权重之和必须为 100%（当前为 90%）"):
        ScorecardSpec.model_validate({"categories": [{"code": "a", "name": "a", "weight": 90, "items": [item]}]})
    with pytest.raises(PydanticError, match="严格递增"):
        ScorecardSpec.model_validate(
            {
                "categories": [
                    {
                        "code": "a",
                        "name": "a",
                        "weight": 100,
                        "items": [{"indicator": "x", "bins": [{"from": 2, "points": 1}, {"from": 1, "points": 2}]}],
                    }
                ]
            }
        )


def test_duckdb_and_spark_give_identical_values_and_grades(world: None) -> None:
    version = published()
    duck = runs.run_scoring(version, as_of=TODAY, publish=False)
    spark = runs.run_scoring(version, as_of=TODAY, publish=False, engine="spark")
    a = {s.subject_id: (s.level, s.score, s.detail, s.sub_scores) for s in duck.scores.all()}
    b = {s.subject_id: (s.level, s.score, s.detail, s.sub_scores) for s in spark.scores.all()}
    assert len(a) == 300 and a == b


def test_a_past_as_of_date_is_reproducible_after_late_records(world: None) -> None:
    version = published()
    as_of = TODAY - dt.timedelta(days=30)
    first = runs.run_scoring(version, as_of=as_of)
    subject = Subject.objects.filter(pack="food_credit", pk__in=[s for s, (lvl, _) in scores(first).items() if lvl == "A"]).first()
    assert subject is not None
    penalty = RecordType.objects.get(code="penalty")
    for i in range(3):  # penalties that happened before the as-of date but only became known now
        Record.objects.create(
            subject=subject,
            record_type=penalty,
            occurred_on=as_of - dt.timedelta(days=10 + i),
            known_at=timezone.now(),
            source="late",
            source_ref=f"late-{i}",
            data={"decision_no": f"x{i}", "penalty_type": "fine", "amount": 20000, "serious": True},
        )
    again = runs.run_scoring(version, as_of=as_of)
    assert scores(again) == scores(first)
    assert Score.objects.get(run=again, subject=subject).detail == Score.objects.get(run=first, subject=subject).detail
    now = runs.run_scoring(version, as_of=as_of, as_known_now=True)
    known = Score.objects.get(run=now, subject=subject)
    assert known.detail["v"]["penalties_12m"] == Score.objects.get(run=first, subject=subject).detail["v"]["penalties_12m"] + 3
    assert known.level == "D" and "serious_list" in known.detail["f"]


def test_a_run_that_fails_midway_leaves_the_previous_grades_in_force(world: None, monkeypatch: Any) -> None:
    version = published()
    runs.run_scoring(version, as_of=TODAY - dt.timedelta(days=200))
    before = read.current_grades(scheme=FOOD)
    in_force = set(CurrentGrade.objects.filter(scheme__code=FOOD).values_list("run_id", flat=True))
    calls = {"n": 0}
    real = runs.write_batch

    def flaky(rows: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("进程被中止")
        real(rows)

    monkeypatch.setattr(runs, "BATCH", 50)
    monkeypatch.setattr(runs, "write_batch", flaky)
    with pytest.raises(RuntimeError):
        runs.run_scoring(version, as_of=TODAY)
    failed = ScoringRun.objects.order_by("-pk").first()
    assert failed is not None and failed.status == "failed" and "中止" in failed.error
    assert 0 < failed.scores.count() < 300  # staged rows exist, but are not in force
    assert read.current_grades(scheme=FOOD) == before
    assert set(CurrentGrade.objects.filter(scheme__code=FOOD).values_list("run_id", flat=True)) == in_force


def test_publishing_needs_a_second_person_and_is_audited(world: None, django_user_model: Any) -> None:
    author = django_user_model.objects.get(username="model_admin")
    reviewer = django_user_model.objects.get(username="admin")
    current = published()
    runs.run_scoring(current, as_of=TODAY)
    spec = current.spec | {"categories": [c | {"weight": c["weight"]} for c in current.spec["categories"]]}
    spec["categories"][0]["weight"] -= 5
    draft = lifecycle.create_draft(current.model, spec, author, note="调整权重")
    with pytest.raises(ValidationError, match="权重之和必须为 100%"):
        lifecycle.mark_validated(draft)
    spec["categories"][1]["weight"] += 5
    draft.spec = spec
    draft.save()
    lifecycle.mark_validated(draft)
    result = lifecycle.dry_run(draft, as_of=TODAY)
    assert sum(sum(row.values()) for row in result["migration"].values()) == 300
    assert read.current_grades(scheme=FOOD)  # a dry run changes nothing in force
    with pytest.raises(PermissionDenied, match="双人复核"):
        lifecycle.publish(draft, author, as_of=TODAY)
    run = lifecycle.publish(draft, reviewer, as_of=TODAY)
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.status == "published" and current.status == "retired" and run.version == draft
    events = AuditEvent.objects.filter(object_type="scoring.modelversion", object_id=str(draft.pk))
    assert events.filter(actor=reviewer).exists() or events.count() >= 3
    diff = lifecycle.compare(current, draft)
    changed = {r["key"] for r in diff["rows"] if r["changed"]}
    assert changed == {current.spec["categories"][0]["name"], current.spec["categories"][1]["name"]}
    restored = lifecycle.restore(current, author)
    assert restored.status == "draft" and restored.spec == current.spec and restored.number == draft.number + 1


def test_read_contract_and_signals(world: None, django_capture_on_commit_callbacks: Any) -> None:
    got: list[dict[str, Any]] = []
    published_runs: list[int] = []

    def on_change(sender: Any, **kw: Any) -> None:
        got.append(kw)

    def on_run(sender: Any, run_id: int, **kw: Any) -> None:
        published_runs.append(run_id)

    signals.grade_changed.connect(on_change)
    signals.run_published.connect(on_run)
    # The world is graded as of TODAY; start from an ungraded scheme so that the year-old run is
    # published (newest wins would otherwise keep the world's grades) and the second one moves grades.
    CurrentGrade.objects.filter(scheme__code=FOOD).delete()
    try:
        version = published()
        with django_capture_on_commit_callbacks(execute=True):
            first = runs.run_scoring(version, as_of=TODAY - dt.timedelta(days=365))
        with django_capture_on_commit_callbacks(execute=True):
            second = runs.run_scoring(version, as_of=TODAY)
    finally:
        signals.grade_changed.disconnect(on_change)
        signals.run_published.disconnect(on_run)
    assert published_runs == [first.pk, second.pk]
    assert read.previous_run_id(second.pk) == first.pk
    values = read.indicator_values(second.pk)
    assert len(values) == 300 and "penalties_12m" in next(iter(values.values()))
    moved = [c for c in got if c["run_id"] == second.pk]
    assert moved and len(moved) == GradeChange.objects.filter(run=second).count()
    sample = moved[0]
    assert sample["old_level"] != sample["new_level"] and sample["direction"] in ("up", "down")
    assert read.current_grades([sample["subject_id"]], scheme=FOOD) == {sample["subject_id"]: (sample["new_level"], sample["new_score"])}


def test_new_records_regrade_the_subject_through_the_task_queue(
    world: None, django_capture_on_commit_callbacks: Any, scheduled_tasks: Any
) -> None:
    version = published()
    runs.run_scoring(version, as_of=timezone.localdate())
    subject = Subject.objects.get(pk=min(sid for sid, (lvl, _) in read.current_grades(scheme=FOOD).items() if lvl == "A"))
    penalty = RecordType.objects.get(code="penalty")
    with django_capture_on_commit_callbacks(execute=True):
        Record.objects.create(
            subject=subject,
            record_type=penalty,
            occurred_on=timezone.localdate(),
            source="ui",
            source_ref="event-1",
            data={"decision_no": "x", "penalty_type": "revoke_licence", "amount": 50000, "serious": True},
        )
    assert scheduled_tasks() == 1  # the debounced re-grade
    run = ScoringRun.objects.order_by("-pk").first()
    assert run is not None and run.mode == "incremental" and run.trigger.startswith("event") and run.subject_count == 1
    assert read.current_grades([subject.pk], scheme=FOOD)[subject.pk][0] == "D"
    change = GradeChange.objects.get(subject=subject, run=run)
    assert (change.old_level, change.new_level, change.direction) == ("A", "D", "down")


def test_overrides_need_a_second_person_and_expire(world: None, django_user_model: Any) -> None:
    runs.run_scoring(published(), as_of=TODAY)
    proposer = django_user_model.objects.get(username="business_admin")
    approver = django_user_model.objects.get(username="leader")
    grades = read.current_grades(scheme=FOOD)
    subject = Subject.objects.filter(
        pk__in=[s for s, (lvl, _) in grades.items() if lvl == "D"], region__path__startswith=proposer.organization.region.path
    ).first()
    assert subject is not None
    scheme = GradeScheme.objects.get(code="food_credit_abcd")
    o = overrides.propose(
        proposer, subject, scheme, "C", "已完成整改，现场复核符合要求", timezone.localdate() + dt.timedelta(days=90), evidence="复查记录"
    )
    assert read.current_grades([subject.pk], scheme=FOOD)[subject.pk][0] == "D"  # not in force until approved
    with pytest.raises(PermissionDenied, match="双人复核"):
        overrides.decide(proposer, o, approve=True)
    overrides.decide(approver, o, approve=True)
    assert read.current_grades([subject.pk], scheme=FOOD)[subject.pk][0] == "C"
    assert AuditEvent.objects.filter(object_type="scoring.gradeoverride", object_id=str(o.pk)).count() >= 2
    type(o).objects.filter(pk=o.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert read.current_grades([subject.pk], scheme=FOOD)[subject.pk][0] == "D"


def test_an_override_is_proposed_from_the_form_and_approved_on_its_generic_page(world: None, django_user_model: Any) -> None:
    from regwatch.scoring.models import GradeOverride
    from tests.conftest import login

    proposer = login(django_user_model.objects.get(username="business_admin"))
    approver = login(django_user_model.objects.get(username="leader"))
    subject = Subject.objects.filter(pack="food_credit", region__path__startswith="/330000/330100/", grades__isnull=False).first()
    assert subject is not None
    form = proposer.get("/scoring/overrides/", {"subject": subject.pk}).content.decode()
    assert f"为“{subject.name}”提出等级调整" in form and 'name="subject"' in form  # the subject by name, its id hidden
    until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = proposer.post("/scoring/overrides/", {"subject": subject.pk, "level": "B", "reason": "复查合格", "expires_on": until})
    override = GradeOverride.objects.get(subject=subject)
    assert response["Location"] == f"/grade-overrides/{override.pk}/"
    page = approver.get(response["Location"]).content.decode()
    assert 'id="override-decide"' in page  # the approval form is on the generic detail page
    response = approver.post("/scoring/overrides/", {"override": override.pk, "action": "approve"})
    override.refresh_from_db()
    assert response["Location"] == f"/grade-overrides/{override.pk}/" and override.status == "approved"
    assert subject.name in approver.get("/grade-overrides/").content.decode()  # listed by the generic type


def test_subject_page_panel_and_api_explanation(world: None, overseer_client: Any, inspector: Any) -> None:
    run = runs.run_scoring(published(), as_of=TODAY)
    subject = Subject.objects.filter(pack="food_credit", region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    page = overseer_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "评分解释" in page and "grade-history" in page
    data = overseer_client.get(f"/api/v1/scoring/subjects/{subject.pk}/explanation/").json()
    assert data["run"] == run.pk and data["level"] in "ABCD" and len(data["categories"]) == 6
    outside = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).first()
    from django.test import Client

    c = Client()
    c.force_login(inspector)
    assert c.get(f"/api/v1/scoring/subjects/{outside.pk}/explanation/").status_code == 404  # type: ignore[union-attr]
    assert c.get(f"/api/v1/scoring/subjects/{subject.pk}/explanation/").status_code == 200


def test_scoring_screens_render_and_versions_can_be_edited(world: None, leader: Any, django_user_model: Any) -> None:
    from django.test import Client

    viewer = Client()  # a reader of every scoring screen who is no model administrator
    viewer.force_login(leader)
    version = published()
    run = runs.run_scoring(version, as_of=TODAY)
    for url in [
        "/scoring/distribution/",
        "/scoring/overrides/",
        f"/model-versions/{version.pk}/",
        f"/scoring-runs/{run.pk}/",
        "/indicators/",
    ]:
        assert viewer.get(url).status_code == 200, url
    page = viewer.get("/scoring/distribution/").content.decode()
    assert "按区县" in page and "按行业" in page
    from regwatch.indicators.models import Indicator

    detail = viewer.get(f"/indicators/{Indicator.objects.get(code='penalties_12m').pk}/").content.decode()
    assert "取值分布" in detail and "v1" in detail
    author = Client()
    author.force_login(django_user_model.objects.get(username="model_admin"))
    assert author.get(f"/scoring/versions/{version.pk}/edit/").status_code == 200
    assert viewer.get(f"/scoring/versions/{version.pk}/edit/").status_code == 403  # 领导 may only look
    form = {f"weight_{c['code']}": c["weight"] for c in version.spec["categories"]}
    form |= {f"{k}_{lv['code']}": lv[k] for lv in version.levels for k in ("min", "max", "color")}
    bad = author.post(f"/scoring/versions/{version.pk}/edit/", form | {"weight_basic": 50})
    assert "权重之和必须为 100%" in bad.content.decode()
    gap = author.post(f"/scoring/versions/{version.pk}/edit/", form | {"min_B": 30})
    assert "空档" in gap.content.decode()
    ok = author.post(
        f"/scoring/versions/{version.pk}/edit/", form | {"weight_basic": 10, "weight_trend": 0, "color_A": "#00aa00", "note": "测试调整"}
    )
    draft = ModelVersion.objects.order_by("-pk").first()
    assert ok.status_code == 302 and draft is not None and draft.status == "draft" and draft.levels[0]["color"] == "#00aa00"
    compare = viewer.get(f"/scoring/compare/{version.pk}/{draft.pk}/").content.decode()
    assert "table-warning" in compare


def test_the_monthly_schedule_scores_everyone(world: None) -> None:
    from regwatch.scoring.tasks import monthly_full_run

    run_ids = monthly_full_run.call_local()
    assert len(run_ids) == ModelVersion.objects.filter(status="published").count()  # every pack's models
    run = ScoringRun.objects.get(pk__in=run_ids, scheme__code=FOOD)
    assert run.trigger == "schedule" and run.mode == "full" and run.status == "published" and run.subject_count == 300
