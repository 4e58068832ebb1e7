"""Every key operation leaves exactly one audit or access event that names it (docs/security.md,
"Key operations and their audit events"), done as a user does it: through the pages and the API."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from regwatch.accounts.models import User
from regwatch.audit.models import AccessEvent, AuditEvent
from regwatch.core.models import Organization, Region
from regwatch.scoring.models import CurrentGrade, GradeOverride, ModelVersion, ScoringRun
from regwatch.subjects.models import Record, Subject
from regwatch.warnings.firing import fire
from regwatch.warnings.models import Warning, WarningRule
from regwatch.workorders.models import Comment, WorkOrder, WorkOrderStep
from tests.cases import handled_order
from tests.conftest import login

PASSWORD = "Regwatch#2026"
TODAY_PACK = "food_credit"


@dataclass
class Seen:
    events: list[AuditEvent | AccessEvent] = field(default_factory=list)

    @property
    def event(self) -> Any:
        assert len(self.events) == 1, [f"{type(e).__name__} {e.action} {getattr(e, 'object_type', '')} {e}" for e in self.events]
        return self.events[0]


@contextlib.contextmanager
def events() -> Iterator[Seen]:
    """The audit and access events written inside the block."""
    audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    access = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    seen = Seen()
    yield seen
    seen.events = [*AuditEvent.objects.filter(pk__gt=audit).order_by("pk"), *AccessEvent.objects.filter(pk__gt=access).order_by("pk")]


def user(name: str) -> User:
    return User.objects.get(username=name)


def west_lake_subject(inspector: Any) -> Subject:
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path, pack=TODAY_PACK).order_by("pk").first()
    assert subject is not None
    return subject


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


# --- sign-in ------------------------------------------------------------------------------------


def test_login_and_logout_are_one_event_each(inspector: Any) -> None:
    client = Client()
    with events() as seen:
        assert client.post("/login/", {"username": "inspector", "password": PASSWORD}).status_code == 302
    assert (seen.event.action, seen.event.actor) == ("login", inspector)
    with events() as seen:
        client.post("/logout/")
    assert (seen.event.action, seen.event.actor) == ("logout", inspector)


# --- reads --------------------------------------------------------------------------------------


def test_a_subject_page_is_one_view_however_many_partials_it_loads(inspector: Any) -> None:
    client, subject = login(inspector), west_lake_subject(inspector)
    with events() as seen:
        assert client.get(f"/subjects/{subject.pk}/").status_code == 200
    event = seen.event
    assert (event.action, event.actor, event.target, event.detail) == ("view_subject", inspector, str(subject), {"id": subject.pk})
    scheme = CurrentGrade.objects.filter(subject=subject).values_list("scheme__code", flat=True).first()
    with events() as partials:
        # The grade panel's scheme switch and any htmx refresh of the page are the same view.
        assert client.get(f"/scoring/subjects/{subject.pk}/grade/", {"scheme": scheme or ""}, HTTP_HX_REQUEST="true").status_code == 200
        assert client.get(f"/subjects/{subject.pk}/", HTTP_HX_REQUEST="true").status_code == 200
    assert partials.events == []


def test_the_access_log_names_subject_views_and_searches_in_chinese(inspector: Any) -> None:
    client, subject = login(inspector), west_lake_subject(inspector)
    client.get(f"/subjects/{subject.pk}/")
    client.get("/subjects/", {"q": subject.name[:4]})
    body = login(user("auditor")).get("/access-events/").content.decode()
    assert "查看主体档案" in body and "关键字检索" in body
    assert ">view_subject<" not in body and ">search<" not in body


def test_a_search_is_one_event_with_its_words_and_its_pages_are_not_new_searches(leader: Any) -> None:
    client = login(leader)
    with events() as seen:
        assert client.get("/subjects/", {"q": " 有限公司 ", "per_page": 25}).status_code == 200
    event = seen.event
    assert (event.action, event.actor, event.target) == ("search", leader, "监管主体")
    assert event.detail["q"] == "有限公司" and event.detail["rows"] > 25  # more than one page
    with events() as paging:
        assert (
            client.get(
                "/subjects/", {"q": "有限公司", "per_page": 25, "page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table"
            ).status_code
            == 200
        )
        client.get("/subjects/", {"q": "有限公司", "sort": "name"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
        client.get("/subjects/")  # a list without a keyword is no search
    assert paging.events == []
    with events() as again:  # the filter form submitted again (htmx) is a new search
        client.get("/subjects/", {"q": "食品"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table", HTTP_HX_TRIGGER="filter-form")
    assert again.event.action == "search" and again.event.detail["q"] == "食品"


def test_an_export_is_one_event(inspector: Any) -> None:
    client = login(inspector)
    with events() as seen:
        response = client.get("/subjects/", {"q": "有限公司", "export": "xlsx"})
        assert response.status_code == 200
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert (seen.event.action, seen.event.actor, seen.event.target) == ("export", inspector, "监管主体")


def test_an_api_call_is_one_event_with_client_endpoint_status_and_rows(api_client_user: Any) -> None:
    token = Token.objects.get_or_create(user=api_client_user)[0].key
    with events() as seen:
        response = Client().get("/api/v1/subjects/?page_size=5", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    event = seen.event
    assert (event.action, event.actor, event.target) == ("api_call", api_client_user, "GET /api/v1/subjects/")
    assert event.detail["status"] == 200 and event.detail["rows"] == 5


# --- rules, scorecards, schemes and scoring -----------------------------------------------------


def _rule_form(rule: WarningRule, **changes: Any) -> dict[str, Any]:
    return {
        "name": rule.name,
        "level": rule.level,
        "message": rule.message,
        "subject_kinds": json.dumps(rule.subject_kinds, ensure_ascii=False),
        "params": json.dumps(rule.params, ensure_ascii=False),
        "cooldown_days": rule.cooldown_days,
        "description": rule.description,
        **({"enabled": "on"} if rule.enabled else {}),
        **changes,
    }


def test_a_rule_change_is_one_event(world: None) -> None:
    rule = WarningRule.objects.filter(pack=TODAY_PACK).order_by("pk").first()
    assert rule is not None
    client = login(user("model_admin"))
    with events() as seen:
        response = client.post(f"/warning-rules/{rule.pk}/edit/", _rule_form(rule, cooldown_days=rule.cooldown_days + 7))
        assert response.status_code == 302
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "update",
        user("model_admin"),
        "warnings.warningrule",
        str(rule.pk),
    )
    assert event.after["cooldown_days"] == rule.cooldown_days + 7


def _weights_form(version: ModelVersion) -> dict[str, Any]:
    form = {f"weight_{c['code']}": c["weight"] for c in version.spec["categories"]}
    return form | {f"{k}_{lv['code']}": lv[k] for lv in version.levels for k in ("min", "max", "color")}


def _published() -> ModelVersion:
    return ModelVersion.objects.filter(model__pack=TODAY_PACK, status="published").order_by("pk")[0]


def test_a_scorecard_and_scheme_change_is_one_event_each_step(world: None) -> None:
    """New weights and level colours (a draft), its validation, dry run and publication by a second person."""
    author, reviewer, base = user("model_admin"), user("model_admin2"), _published()
    levels = base.levels
    form = _weights_form(base) | {f"color_{levels[0]['code']}": "#00aa00", "note": "审计测试"}
    client = login(author)
    with events() as seen:
        assert client.post(f"/scoring/versions/{base.pk}/edit/", form).status_code == 302
    draft = ModelVersion.objects.get(model=base.model, number=base.number + 1)
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("create", author, "scoring.modelversion", str(draft.pk))
    assert event.after["levels"][0]["color"] == "#00aa00"  # the scheme's new colour is in the one event

    for who, action, status in [(author, "validate", "validated"), (author, "dry_run", "dry_run"), (reviewer, "publish", "published")]:
        client = login(who)
        with events() as seen:
            assert client.post(f"/scoring/versions/{draft.pk}/{action}/").status_code == 302
        draft.refresh_from_db()
        assert draft.status == status, action
        event = seen.event
        assert (event.action, event.actor, event.object_type, event.object_id) == ("update", who, "scoring.modelversion", str(draft.pk))
        assert event.after["status"] == status
    base.refresh_from_db()
    assert base.status == "retired"  # folded into the publication's event


def test_a_scoring_run_is_one_event_on_the_run(world: None) -> None:
    """One event per run (the scores and grades it writes are its content, not events of their own)."""
    versions = list(ModelVersion.objects.filter(model__pack=TODAY_PACK, status="published"))
    with events() as seen:
        call_command("score", "--pack", TODAY_PACK, "--json", stdout=io.StringIO())
    runs = {str(r.pk): r for r in ScoringRun.objects.filter(version__in=versions).order_by("-pk")[: len(versions)]}
    assert len(seen.events) == len(versions) == len(runs)
    for event in seen.events:
        assert (event.action, event.object_type, event.actor_label) == ("create", "scoring.scoringrun", "system:score")
        run = runs[event.object_id]
        assert event.after["status"] == "published" and event.after["subject_count"] == run.subject_count > 0


# --- grade overrides ----------------------------------------------------------------------------


def test_a_grade_override_proposal_and_its_approval_are_one_event_each(world: None) -> None:
    proposer, approver = user("business_admin"), user("leader")
    grade = (
        CurrentGrade.objects.filter(subject__region__path__startswith=proposer.organization.region.path, scheme__pack=TODAY_PACK)
        .order_by("pk")
        .first()
    )
    assert grade is not None
    other = next(lv["code"] for lv in grade.scheme.levels if lv["code"] != grade.level)
    post = {"subject": grade.subject_id, "scheme": grade.scheme.code, "level": other, "reason": "复查整改到位", "evidence": "复查记录"}
    client = login(proposer)
    with events() as seen:
        response = client.post("/scoring/overrides/", post | {"expires_on": "2099-01-01"})
    override = GradeOverride.objects.get(subject_id=grade.subject_id, status="proposed")
    assert response.status_code == 302 and response["Location"] == f"/grade-overrides/{override.pk}/"
    assert (seen.event.action, seen.event.actor, seen.event.object_type) == ("create", proposer, "scoring.gradeoverride")
    client = login(approver)
    with events() as seen:
        assert client.post("/scoring/overrides/", {"action": "approve", "override": override.pk}).status_code == 302
    event = seen.event
    assert (event.action, event.actor, event.object_id) == ("update", approver, str(override.pk))
    assert event.before["status"] == "proposed" and event.after["status"] == "approved"


# --- warnings -----------------------------------------------------------------------------------


def _warnings(inspector: Any, n: int) -> list[Warning]:
    rule = WarningRule.objects.get(code="failed_inspection")
    subjects = Subject.objects.filter(region__path__startswith=inspector.organization.region.path, pack=TODAY_PACK).order_by("pk")[:n]
    return [fire(s, rule=rule, context={"occurred_on": "2026-11-01"}) for s in subjects]


def test_a_warning_review_is_one_event(inspector: Any) -> None:
    [warning] = _warnings(inspector, 1)
    client = login(inspector)
    with events() as seen:
        assert client.post(f"/warnings/{warning.pk}/review/", {"decision": "confirm"}).status_code == 302
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("update", inspector, "warnings.warning", str(warning.pk))
    assert event.after["status"] == "confirmed"


def test_a_bulk_review_is_one_event_naming_the_warnings(inspector: Any) -> None:
    warnings = _warnings(inspector, 3)
    ids = [w.pk for w in warnings]
    client = login(inspector)
    with events() as seen:
        client.post("/warnings/bulk/", {"ids": ids, "decision": "dismiss", "reason": "重复推送"})
    assert Warning.objects.filter(pk__in=ids, status="dismissed").count() == 3
    event = seen.event
    assert (event.action, event.actor, event.object_type) == ("bulk", inspector, "warnings.warning")
    assert event.after["研判结论"] == "排除" and event.after["原因"] == "重复推送"
    assert event.after["预警"] == [f"{w}（{w.pk}）" for w in sorted(warnings, key=lambda w: w.pk)]
    assert event.after["涉及记录"] == {"预警": {"修改": 3}}


def test_dispatching_a_warning_is_one_event_on_the_new_order(world: None, inspector: Any) -> None:
    [warning] = _warnings(inspector, 1)
    admin = user("business_admin")
    org = Organization.objects.filter(region=inspector.organization.region).order_by("pk").first()
    assert org is not None
    client = login(admin)
    with events() as seen:
        response = client.post(f"/workorders/from-warning/{warning.pk}/", {"assignee_org": org.pk})
    order = WorkOrder.objects.get(warning=warning)
    assert response.status_code == 302 and order.assignee_org == org
    warning.refresh_from_db()
    assert warning.status == "dispatched"  # folded into the order's event
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("create", admin, "workorders.workorder", str(order.pk))
    assert event.after["assignee_org_id"] == org.pk


# --- work orders --------------------------------------------------------------------------------


def test_every_work_order_step_is_one_event_on_the_step(world: None) -> None:
    order = handled_order(close=False)  # answered, waiting for verification
    admin = user("business_admin")
    client = login(admin)
    with events() as seen:
        response = client.post(f"/workorders/{order.pk}/transition/", {"action": "verify_close", "verify_opinion": "整改到位"})
        assert response.status_code == 302
    step = order.steps.order_by("-seq").first()
    assert step is not None and step.action == "verify_close"
    order.refresh_from_db()
    assert order.closed_at is not None and order.warning is not None and order.warning.status == "closed"
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("create", admin, "workorders.workorderstep", str(step.pk))
    assert event.after["action"] == "verify_close" and event.after["to_state"] == order.state


def test_a_work_order_comment_is_one_event(world: None, inspector: Any) -> None:
    order = handled_order(close=False)
    client = login(inspector)
    with events() as seen:
        assert client.post(f"/workorders/{order.pk}/comment/", {"text": "已电话回访企业"}).status_code == 302
    comment = Comment.objects.get(order=order)
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("create", inspector, "workorders.comment", str(comment.pk))
    assert event.after["text"] == "已电话回访企业"


def test_the_step_events_make_the_order_history(world: None) -> None:
    order = handled_order()
    steps = list(order.steps.order_by("seq"))
    created = AuditEvent.objects.filter(object_type="workorders.workorderstep", object_id__in=[str(s.pk) for s in steps])
    assert sorted(created.values_list("object_id", flat=True)) == sorted(str(s.pk) for s in steps[1:])  # the first: the order's creation
    assert AuditEvent.objects.filter(object_type="workorders.workorder", object_id=str(order.pk)).count() == 1
    assert not WorkOrderStep.objects.filter(order=order, ledger_seq=None).exists()


# --- roles and scopes ---------------------------------------------------------------------------


def _user_form(u: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": u.username,
        "display_name": u.display_name,
        "organization": u.organization_id or "",
        "groups": [g.pk for g in u.groups.all()],
        "extra_regions": [r.pk for r in u.extra_regions.all()],
        "scope_all": u.scope_all,
        "is_active": u.is_active,
        **changes,
    }
    return {k: v for k, v in data.items() if v is not False}


def test_a_role_and_scope_change_is_one_event(security_admin: Any, leader: Any) -> None:
    """Swapping a role and adding a region: a revocation, a grant and a scope change, one event."""
    old = list(leader.groups.all())
    new_role = Group.objects.get(name="model_admin")
    region = Region.objects.filter(level="county").exclude(pk__in=leader.extra_regions.all()).order_by("pk").first()
    assert old and region is not None
    form = _user_form(leader, groups=[g.pk for g in old[1:]] + [new_role.pk], extra_regions=[region.pk])
    client = login(security_admin)
    with events() as seen:
        assert client.post(f"/users/{leader.pk}/edit/", form).status_code == 302
    event = seen.event
    assert (event.action, event.actor, event.object_type, event.object_id) == ("update", security_admin, "accounts.user", str(leader.pk))
    assert "模型管理员" in event.after["groups"] and "模型管理员" not in event.before["groups"]
    assert event.after["extra_regions"] == [str(region)] and event.before["extra_regions"] == []


# --- intake -------------------------------------------------------------------------------------


def test_an_upload_is_written_as_the_uploader_even_in_the_worker(data_admin: Any, monkeypatch: Any) -> None:
    """The background task runs outside the request: it still acts as the user who uploaded."""
    from regwatch.intake import tasks
    from regwatch.intake.models import Source

    subjects = list(Subject.objects.filter(pack=TODAY_PACK).exclude(uscc=None).order_by("pk")[:4])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["统一社会信用代码", "企业名称", "检查编号", "检查日期", "检查结果", "发现问题数", "检查人员", "检查单位"])
    for i, s in enumerate(subjects):
        w.writerow([s.uscc, s.name, f"KO-{i:05d}", "2025-03-02", "不符合", "1", "张三", "西湖所"])
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks, "ingest_uploaded", lambda *args: queued.append(args))  # the worker is down for now
    source = Source.objects.get(code="samr_inspection")
    upload = SimpleUploadedFile("检查.csv", buf.getvalue().encode("utf-8"), content_type="text/csv")
    assert login(data_admin).post("/intake/upload/", {"source": source.pk, "file": upload}).status_code == 302
    [args] = queued
    monkeypatch.undo()

    with events() as seen:
        tasks.ingest_uploaded.call_local(*args)  # as the worker runs it: no request, no signed-in user
    records = Record.objects.filter(source_ref__startswith="KO-")
    assert records.count() == 4
    assert seen.events and {e.actor_label for e in seen.events} == {"data_admin"}
    assert all(e.actor == data_admin for e in seen.events)
    bulk = [e for e in seen.events if isinstance(e, AuditEvent) and e.action == "bulk"]
    assert len(bulk) == 1 and bulk[0].after["accepted"] == 4


# --- what the auditor reads -----------------------------------------------------------------------


def test_the_auditor_reads_the_new_events_without_raw_codes(inspector: Any) -> None:
    """The one event of a bulk review, a step, a role change and a run: labels, not codes."""
    from tests.rawtext import find_raw_html, labelled_codes

    ids = [w.pk for w in _warnings(inspector, 2)]
    client = login(inspector)
    with events() as bulk:
        client.post("/warnings/bulk/", {"ids": ids, "decision": "confirm"})
    handled_order(close=False)
    step = AuditEvent.objects.filter(object_type="workorders.workorderstep").latest("pk")
    with events() as run:
        call_command("score", "--pack", TODAY_PACK, "--json", stdout=io.StringIO())
    client.get(f"/subjects/{west_lake_subject(inspector).pk}/")
    client.get("/subjects/", {"q": "有限公司"})
    auditor, codes = login(user("auditor")), labelled_codes()
    pages = [f"/audit-events/{e.pk}/" for e in (bulk.event, step, run.events[0])] + ["/access-events/", "/audit-events/"]
    for url in pages:
        response = auditor.get(url)
        assert response.status_code == 200, url
        assert not find_raw_html(response.content.decode(), codes), (url, find_raw_html(response.content.decode(), codes))
