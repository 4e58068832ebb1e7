"""Two packs in one database: food_credit and the deliberately different test pack eco_watch.

Each must work on its own terms: its kinds and identifier schemes, its five-level grading, a
rule of its own firing into the one alert pool, its own workflow started from that warning, and
a file from its own intake source.  Pages and APIs that show grades name the scheme and offer
the other one.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from scipy.stats import spearmanr

from regwatch.core.dictionaries import industry_name, kind_names
from regwatch.intake.models import Source
from regwatch.intake.pipeline import ingest_file
from regwatch.packs.models import PackInstall, SyntheticTruth
from regwatch.scoring.models import CurrentGrade, GradeScheme, ScoringRun
from regwatch.subjects.models import Record, RecordType, Subject, SubjectIdentifier, SubjectKind
from regwatch.warnings.models import Warning
from regwatch.workorders.models import WorkOrder
from tests.conftest import TEST_PACK, TEST_PACK_SUBJECTS, WORLD_SUBJECTS, login

pytestmark = pytest.mark.django_db
ECO_SCHEME = "eco_watch_risk5"
CREDIT_SCHEME = "eco_watch_credit3"
FOOD_SCHEME = "food_credit_abcd"


def eco_unit() -> Subject:
    return Subject.objects.filter(pack=TEST_PACK, kind__code="pollutant_unit").order_by("pk").first()  # type: ignore[return-value]


def test_both_packs_are_loaded_with_their_own_kinds_and_subjects(world: None) -> None:
    assert set(PackInstall.objects.values_list("name", flat=True)) == {"food_credit", TEST_PACK}
    assert set(SubjectKind.objects.filter(pack=TEST_PACK).values_list("code", flat=True)) == {"pollutant_unit", "construction_project"}
    assert Subject.objects.filter(pack="food_credit").count() == WORLD_SUBJECTS
    assert Subject.objects.filter(pack=TEST_PACK).count() == TEST_PACK_SUBJECTS
    assert not Subject.objects.filter(pack=TEST_PACK, kind__pack="food_credit").exists()
    # Record types of one pack are never attached to the other's subjects.
    assert not Record.objects.filter(subject__pack=TEST_PACK).exclude(record_type__pack=TEST_PACK).exists()
    assert not Record.objects.filter(subject__pack="food_credit").exclude(record_type__pack="food_credit").exists()


def test_the_test_pack_identifies_subjects_by_its_own_schemes(world: None) -> None:
    projects = Subject.objects.filter(pack=TEST_PACK, kind__code="construction_project")
    assert projects.exists() and not projects.exclude(uscc=None).exists()  # no USCC at all
    assert set(SubjectIdentifier.objects.filter(subject__in=projects).values_list("scheme", flat=True)) == {"eia_approval"}
    units = Subject.objects.filter(pack=TEST_PACK, kind__code="pollutant_unit")
    permits = dict(SubjectIdentifier.objects.filter(subject__in=units, scheme="discharge_permit").values_list("subject__uscc", "value"))
    assert len(permits) == units.count()
    assert all(value.startswith(uscc) and len(value) == 22 for uscc, value in permits.items())  # USCC + serial + type letter
    names = kind_names("identifier_scheme")
    assert names["discharge_permit"] == "排污许可证编号" and names["food_licence"].startswith("食品")


def test_industry_names_come_from_each_packs_own_dictionary(world: None) -> None:
    assert industry_name("C2614") == "C2614 有机化学原料制造"
    food = Subject.objects.filter(pack="food_credit").exclude(industry_code="").first()
    assert food is not None and food.industry != food.industry_code  # named through gbt4754 of food_credit
    assert eco_unit().industry.split(" ", 1)[1]


def test_each_pack_is_graded_in_its_own_scheme_with_its_own_number_of_levels(world: None) -> None:
    eco = GradeScheme.objects.get(code=ECO_SCHEME)
    assert eco.pack == TEST_PACK and [lv["name"] for lv in eco.levels] == ["低风险", "较低风险", "中风险", "较高风险", "高风险"]
    run = ScoringRun.objects.get(scheme=eco, status="published")
    assert run.subject_count == TEST_PACK_SUBJECTS
    assert set(ScoringRun.objects.get(scheme__code=CREDIT_SCHEME, status="published").distribution) <= {"G", "Y", "K"}
    assert set(run.distribution) == {"R1", "R2", "R3", "R4", "R5"} and min(run.distribution.values()) >= 5, run.distribution
    graded = CurrentGrade.objects.filter(scheme=eco)
    assert set(graded.values_list("subject__pack", flat=True)) == {TEST_PACK}
    assert set(CurrentGrade.objects.filter(scheme__code=FOOD_SCHEME).values_list("subject__pack", flat=True)) == {"food_credit"}
    truth = dict(SyntheticTruth.objects.filter(subject__pack=TEST_PACK).values_list("subject_id", "latent_risk"))
    scores = dict(graded.values_list("subject_id", "score"))
    assert spearmanr([scores[s] for s in scores], [truth[s] for s in scores]).statistic >= 0.5


def test_a_rule_of_the_test_pack_fires_into_the_pool_and_dispatches_its_own_workflow(
    world: None, django_capture_on_commit_callbacks: Any
) -> None:
    subject = eco_unit()
    with django_capture_on_commit_callbacks(execute=True):
        Record.objects.create(
            subject=subject,
            record_type=RecordType.objects.get(code="emission_exceedance"),
            occurred_on=dt.date(2026, 10, 30),
            source="test",
            summary="氨氮超标2.5倍",
            data={"pollutant": "nh3n", "multiple": 2.5, "hours": 3},
        )
    warning = Warning.objects.get(subject=subject, rule_key="eco_exceedance")
    assert warning.level == "orange" and "自动监控超标" in warning.message and warning.rule.pack == TEST_PACK  # type: ignore[union-attr]

    client = login(_user("business_admin"))
    page = client.get(f"/warnings/{warning.pk}/").content.decode()
    assert "环境执法核查" in page and "风险预警处置" not in page  # only the pack's own workflows are offered
    response = client.post(f"/workorders/from-warning/{warning.pk}/")  # no workflow chosen: the pack's declared one
    order = WorkOrder.objects.get(warning=warning)
    assert response.status_code == 302 and order.workflow.code == "eco_enforcement" and order.state == "eco_pending_check"


def test_a_file_from_the_test_packs_intake_source_is_ingested(world: None, tmp_path: Path) -> None:
    units = list(Subject.objects.filter(pack=TEST_PACK, kind__code="pollutant_unit").order_by("pk")[:5])
    path = tmp_path / "超标报警.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["统一社会信用代码", "排污单位名称", "报警编号", "超标日期", "污染物", "超标倍数", "超标时长"])
        for i, s in enumerate(units):
            w.writerow([s.uscc, s.name, f"ALARM-{i}", "2026-10-2" + str(i), "化学需氧量", "1.5", "2"])
    batch = ingest_file(Source.objects.get(code="eco_online_monitoring"), path)
    assert (batch.rows_read, batch.accepted, batch.quarantined) == (5, 5, 0), batch.error
    stored = Record.objects.filter(source_ref__startswith="ALARM-", record_type__code="emission_exceedance")
    assert {r.subject_id for r in stored} == {s.pk for s in units}
    assert all(r.data["pollutant"] == "cod" for r in stored)


def _user(username: str) -> Any:
    from regwatch.accounts.models import User

    return User.objects.get(username=username)


def test_the_distribution_page_names_its_scheme_and_offers_the_other(overseer_client: Client) -> None:
    default = overseer_client.get("/scoring/distribution/").content.decode()
    assert "等级分布 · 食品企业信用风险分类（A/B/C/D）" in default  # the scheme with the most grades first
    assert 'value="eco_watch_risk5"' in default and 'value="eco_watch_credit3"' in default
    eco = overseer_client.get("/scoring/distribution/", {"scheme": ECO_SCHEME}).content.decode()
    assert "等级分布 · 环境风险五级分类" in eco
    for name in ("低风险", "较低风险", "中风险", "较高风险", "高风险"):
        assert f"{name}</th>" in eco
    assert "有机化学原料制造" in eco or "水泥制造" in eco  # industries named by the test pack's dictionary


def test_the_inspector_sees_only_the_schemes_of_subjects_in_scope(inspector_client: Client, inspector: Any) -> None:
    page = inspector_client.get("/scoring/distribution/", {"scheme": ECO_SCHEME}).content.decode()
    in_scope = CurrentGrade.objects.filter(scheme__code=ECO_SCHEME, subject__region__path__startswith=inspector.organization.region.path)
    if in_scope.exists():
        assert f"共 {in_scope.count()} 户" in page
    else:
        assert "食品企业信用风险分类" in page  # nothing of the test pack in 西湖区: the offered scheme falls back


def test_explanation_api_says_which_scheme_and_lets_the_caller_choose(overseer_client: Client) -> None:
    subject = eco_unit()
    url = f"/api/v1/scoring/subjects/{subject.pk}/explanation/"
    data = overseer_client.get(url).json()
    assert data["schemes"] == [{"code": CREDIT_SCHEME, "name": "环保信用三级评价"}, {"code": ECO_SCHEME, "name": "环境风险五级分类"}]
    assert data["scheme"] == CREDIT_SCHEME and data["level"] in {"G", "Y", "K"}
    risk = overseer_client.get(url, {"scheme": ECO_SCHEME}).json()
    assert risk["scheme"] == ECO_SCHEME and risk["scheme_name"] == "环境风险五级分类" and risk["level"].startswith("R")
    assert overseer_client.get(url, {"scheme": FOOD_SCHEME}).status_code == 404  # not graded there


def test_a_subject_graded_in_two_schemes_gets_a_scheme_select(overseer_client: Client) -> None:
    subject = eco_unit()
    page = overseer_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert 'id="grade-scheme"' in page and "环境风险五级分类" in page and "环保信用三级评价" in page
    swapped = overseer_client.get(f"/scoring/subjects/{subject.pk}/grade/", {"scheme": ECO_SCHEME}).content.decode()
    assert f'<option value="{ECO_SCHEME}" selected>' in swapped and "排污单位环境风险评分模型" in swapped
    food = Subject.objects.filter(pack="food_credit").order_by("pk").first()
    assert food is not None
    single = overseer_client.get(f"/subjects/{food.pk}/").content.decode()
    assert 'id="grade-scheme"' not in single and 'id="grade-scheme-name">食品企业信用风险分类（A/B/C/D）' in single


def test_the_scheme_panel_is_scoped_like_the_subject(inspector_client: Client, inspector: Any) -> None:
    outside = Subject.objects.filter(pack=TEST_PACK).exclude(region__path__startswith=inspector.organization.region.path).first()
    assert outside is not None
    assert inspector_client.get(f"/scoring/subjects/{outside.pk}/grade/").status_code == 404


def test_an_override_is_proposed_in_the_scheme_chosen_on_the_form(world: None) -> None:
    from regwatch.scoring.models import GradeOverride

    subject = eco_unit()
    client = login(_user("model_admin"))
    form = client.get("/scoring/overrides/", {"subject": subject.pk, "scheme": ECO_SCHEME}).content.decode()
    assert 'id="override-scheme">环境风险五级分类' in form and "R5 高风险" in form and "环保信用三级评价" in form
    client.post(
        "/scoring/overrides/",
        {"subject": subject.pk, "scheme": ECO_SCHEME, "level": "R5", "reason": "现场核查发现偷排", "expires_on": "2027-06-30"},
    )
    override = GradeOverride.objects.get(subject=subject)
    assert override.scheme.code == ECO_SCHEME and override.level == "R5"
