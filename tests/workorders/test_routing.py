"""Work that routes itself: the organisation picker, 我的待办 with the step to take, refused forms that keep their values."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.test import Client

from regwatch.accounts.models import User
from regwatch.core.models import Organization
from regwatch.core.orgpicker import OrgChoiceField, jurisdiction, labels, pickable
from regwatch.workorders.models import WorkOrder
from regwatch.workorders.workflow import TransitionRefused, create_order, dispatchable, transition

from .conftest import photo


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _options(html: str, name: str) -> dict[str, str]:
    """value → label of the options of the select called ``name``."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(1)))


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    found = re.search(r'<option value="(\d+)" selected>', select.group(1))
    return found.group(1) if found else ""


def test_the_warning_page_offers_only_organisations_the_user_may_dispatch_to(leader: Any, business_admin: Any, warning: Any) -> None:
    """The leader (no cross-region right) sees the organisations of the subject's region line; the subject's office is chosen."""
    region = warning.subject.region
    html = _client(leader).get(f"/warnings/{warning.pk}/").content.decode()
    offered = _options(html, "assignee_org")
    allowed = {str(o.pk) for o in dispatchable(leader, region)}
    assert set(offered) == allowed
    assert str(leader.organization_id) in offered  # the city bureau contains every county
    other_county = (
        Organization.objects.filter(region__level="county")
        .exclude(region__path__in=[region.path])
        .exclude(pk__in=[int(k) for k in offered])
    )
    assert other_county.exists()  # … and other counties' bureaus are not offered
    home = jurisdiction(region, pickable(Organization.objects.all()))
    assert home is not None and home.region.path in region.path and _selected(html, "assignee_org") == str(home.pk)
    assert "<optgroup label=" in html  # a tree by region

    everyone = _options(_client(business_admin).get(f"/warnings/{warning.pk}/").content.decode(), "assignee_org")
    assert len(everyone) == Organization.objects.count()  # cross-region rights: every organisation


def test_duplicate_names_are_shown_with_their_district(world: None) -> None:
    orgs = list(pickable(Organization.objects.all()))
    names = Counter(o.name for o in orgs)
    shown = labels(orgs)
    office = next(o for o in orgs if names[o.name] > 1 and o.kind == "office")  # street offices of two counties
    department = next(o for o in orgs if names[o.name] > 1 and o.kind == "department")  # one per city
    assert shown[office.pk] == f"{office.name}（{office.region.parent.name}）" and office.region.parent.level == "county"
    assert shown[department.pk] == f"{department.name}（{department.region.name}）" and department.region.level == "city"
    same = [o for o in orgs if o.name == office.name]
    assert len({shown[o.pk] for o in same}) == len(same)  # told apart
    alone = [o for o in orgs if o.name == office.name][:1]
    assert labels(alone)[office.pk] == shown[office.pk]  # named with its district even when listed alone
    once = next(o for o in orgs if names[o.name] == 1)
    assert shown[once.pk] == once.name

    field = OrgChoiceField()
    field.set_orgs(Organization.objects.filter(pk__in=[o.pk for o in same]))
    groups = [g for g, _ in field.choices if g]
    assert len(groups) == len({o.region.parent_id for o in same}) and field.clean(str(office.pk)) == office


def test_dispatch_from_the_warning_page_hands_the_order_to_the_chosen_office(business_admin: Any, inspector: Any, warning: Any) -> None:
    r = _client(business_admin).post(
        f"/workorders/from-warning/{warning.pk}/", {"workflow": "risk_disposal", "assignee_org": inspector.organization_id}
    )
    order = WorkOrder.objects.get(warning=warning)
    assert r.status_code == 302 and order.state == "pending_sign" and order.assignee_org_id == inspector.organization_id
    assert [s.action for s in order.steps.order_by("seq")] == ["create", "dispatch"]


def test_the_service_refuses_an_organisation_outside_the_users_reach(leader: Any, warning: Any) -> None:
    """Posting an organisation the picker did not offer is refused by the engine, not only hidden by the page."""
    reach = dispatchable(leader, warning.subject.region)
    outside = next(o for o in Organization.objects.select_related("region") if o not in reach)
    r = _client(leader).post(
        f"/workorders/from-warning/{warning.pk}/", {"workflow": "risk_disposal", "assignee_org": outside.pk}, follow=True
    )
    assert "没有跨区划派发" in r.content.decode() and not WorkOrder.objects.filter(warning=warning).exists()
    order = create_order(leader, workflow="risk_disposal", title="越区", region=warning.subject.region, subject=warning.subject)
    try:
        transition(order, leader, "dispatch", {"assignee_org": outside.pk})
    except TransitionRefused as exc:
        assert exc.code == "region"
    else:
        raise AssertionError("dispatch outside the region was accepted")


def test_transfer_offers_the_same_limited_tree(leader: Any, inspector: Any, subject: Any) -> None:
    order = create_order(leader, workflow="risk_disposal", title="转办", region=subject.region, subject=subject)
    transition(order, leader, "dispatch", {"assignee_org": inspector.organization_id})
    html = _client(leader).get(f"/work-orders/{order.pk}/").content.decode()
    form = html[html.index('id="action-transfer"') :]
    offered = _options(form, "assignee_org")
    assert set(offered) == {str(o.pk) for o in dispatchable(leader, order.region)}
    assert _selected(form, "assignee_org") == ""  # a transfer names a new office deliberately


def test_my_todo_holds_verification_with_its_step_and_deadline(business_admin: Any, inspector: Any, subject: Any) -> None:
    order = create_order(business_admin, workflow="risk_disposal", title="待核查的工单", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})

    mine = _client(inspector).get("/workorders/?tab=mine").content.decode()
    row = mine[mine.index("待核查的工单") :].split("</tr>")[0]
    assert "待签收" in row and "签收" in row and "剩余" in row  # the organisation's to-do: sign it

    transition(order, inspector, "sign")
    transition(order, inspector, "feedback", {"result": "已整改", "conclusion": "false_alarm"}, [photo()])
    mine = _client(inspector).get("/workorders/?tab=mine").content.decode()
    assert "待核查的工单" not in mine  # handed to verification: no longer the handler's

    verifier = _client(business_admin).get("/workorders/?tab=mine").content.decode()
    row = verifier[verifier.index("待核查的工单") :].split("</tr>")[0]
    assert "待核查" in row and row.index("核查办结") < row.index("退回重办")  # the step forward first
    order.refresh_from_db()
    assert order.due_at is not None and f"{order.due_at.astimezone().date():%Y-%m-%d}"[:4] in row and "剩余" in row
    assert "pending_verify" not in verifier and "verify_close" not in verifier


def test_feedback_without_its_file_keeps_the_typed_text_and_says_the_file_is_required(
    business_admin: Any, inspector: Any, subject: Any
) -> None:
    order = create_order(business_admin, workflow="risk_disposal", title="缺附件", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    r = _client(inspector).post(
        f"/workorders/{order.pk}/transition/",
        {"action": "feedback", "result": "现场检查发现冷柜温度超标，已责令整改", "conclusion": "confirmed_risk", "comment": "请复核"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    form = html[html.index('id="action-feedback"') :].split("</form>")[0]
    assert "现场检查发现冷柜温度超标，已责令整改</textarea>" in form and "请复核</textarea>" in form
    assert '<option value="confirmed_risk" selected>' in form
    files = form[form.index('name="files"') :]
    assert files.index("附件为必填项") < files.index("</div>") + 200  # right under the file input
    order.refresh_from_db()
    assert order.state == "handling"


def test_missing_fields_and_file_are_both_shown_beside_their_fields(business_admin: Any, inspector: Any, subject: Any) -> None:
    order = create_order(business_admin, workflow="risk_disposal", title="缺项", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    html = _client(inspector).post(f"/workorders/{order.pk}/transition/", {"action": "feedback", "result": "部分填写"}).content.decode()
    form = html[html.index('id="action-feedback"') :].split("</form>")[0]
    assert "请填写“核查结论”" in form and "附件为必填项" in form and "部分填写</textarea>" in form


def _weights_form(version: Any) -> dict[str, Any]:
    form = {f"weight_{c['code']}": c["weight"] for c in version.spec["categories"]}
    form |= {f"{k}_{lv['code']}": lv[k] for lv in version.levels for k in ("min", "max", "color")}
    return form


def test_the_weight_editor_keeps_every_value_when_the_note_is_missing(world: None) -> None:
    from regwatch.scoring.models import ModelVersion

    version = ModelVersion.objects.filter(model__pack="food_credit", status="published").first()
    assert version is not None
    author = _client(User.objects.get(username="model_admin"))
    cats = version.spec["categories"]
    typed = _weights_form(version) | {
        f"weight_{cats[0]['code']}": 17,
        f"weight_{cats[1]['code']}": cats[1]["weight"] + cats[0]["weight"] - 17,
    }
    before = ModelVersion.objects.count()
    html = author.post(f"/scoring/versions/{version.pk}/edit/", typed | {"note": "  "}).content.decode()
    assert ModelVersion.objects.count() == before
    note = html[html.index('id="id_note"') :]
    assert note.index("请填写调整说明") < 600  # beside the note
    assert f'name="weight_{cats[0]["code"]}" id="weight_{cats[0]["code"]}" value="17"' in html
    assert f'value="{cats[1]["weight"] + cats[0]["weight"] - 17}"' in html

    over = author.post(f"/scoring/versions/{version.pk}/edit/", typed | {f"weight_{cats[0]['code']}": 37, "note": "加重"}).content.decode()
    assert "权重之和必须为 100%（当前为 120%）" in over and "加重</textarea>" in over and ModelVersion.objects.count() == before
    assert over.index("权重之和必须为 100%") > over.index('id="weights-card"')  # under the weights, not only on top


def test_the_timeline_names_the_organisation_and_the_conclusion(business_admin: Any, inspector: Any, subject: Any) -> None:
    order = create_order(business_admin, workflow="risk_disposal", title="时间线", region=subject.region, subject=subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    transition(order, inspector, "feedback", {"result": "已整改", "conclusion": "confirmed_risk"}, [photo()])
    html = _client(business_admin).get(f"/work-orders/{order.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') : html.index("</ul>", html.index('id="timeline"'))]
    assert f'承办单位</dt><dd class="col-sm-9">{inspector.organization.name}' in timeline
    assert "确认风险" in timeline and "confirmed_risk" not in timeline and "转至单位" not in timeline


def test_a_ledger_item_can_be_rerouted_within_reach_before_dispatch(business_admin: Any, leader: Any, inspector: Any, subject: Any) -> None:
    from regwatch.workorders import clues
    from regwatch.workorders.models import Clue

    clue = Clue.objects.create(region=subject.region, subject=subject, title="后厨卫生线索", source="12345")
    clues.review_clue(business_admin, clue, True)
    ledger = clues.build_ledger(business_admin, "线索核查台账", "2026-11")
    (item,) = ledger.items.all()
    page = _client(leader).get(f"/ledgers/{ledger.pk}/").content.decode()
    assert _selected(page, f"org_{item.pk}") == str(item.organization_id)  # the street office it was routed to
    assert set(_options(page, f"org_{item.pk}")) == {str(o.pk) for o in dispatchable(leader, clue.region)}

    reach = dispatchable(leader, clue.region)
    outside = next(o for o in Organization.objects.select_related("region") if o not in reach)
    refused = _client(leader).post(f"/workorders/ledgers/{ledger.pk}/", {f"org_{item.pk}": outside.pk}, follow=True).content.decode()
    assert "没有跨区划派发" in refused
    item.refresh_from_db()
    assert item.work_order_id is None and item.organization_id != outside.pk  # nothing happened

    _client(leader).post(f"/workorders/ledgers/{ledger.pk}/", {f"org_{item.pk}": inspector.organization_id})
    item.refresh_from_db()
    assert item.work_order is not None and item.work_order.assignee_org_id == inspector.organization_id


def test_my_todo_lists_clues_waiting_for_review(business_admin: Any, inspector: Any, subject: Any) -> None:
    from regwatch.workorders.models import Clue

    Clue.objects.create(region=subject.region, subject=subject, title="群众反映无证经营", source="12345")
    reviewer = _client(business_admin).get("/workorders/?tab=mine").content.decode()
    assert 'id="clues-to-review"' in reviewer and "群众反映无证经营" in reviewer
    assert "群众反映无证经营" not in _client(inspector).get("/workorders/?tab=mine").content.decode()  # inspectors do not review


def test_a_new_order_can_go_straight_to_an_organisation_and_a_refusal_keeps_the_form(leader: Any, inspector: Any) -> None:
    county = inspector.organization.region
    html = _client(leader).get("/workorders/new/").content.decode()
    offered = _options(html, "assignee_org")
    assert str(inspector.organization_id) in offered and "<optgroup" in html
    assert set(offered) == {str(o.pk) for o in dispatchable(leader, leader.organization.region)}

    form = {"workflow": "risk_disposal", "title": "群众投诉核查", "description": "投诉内容", "region": county.pk}
    elsewhere = Organization.objects.filter(region__level="county", region__parent=county.parent).exclude(region=county).first()
    assert elsewhere is not None and str(elsewhere.pk) in offered  # in the leader's city, not in the order's county
    refused = _client(leader).post("/workorders/new/", form | {"assignee_org": elsewhere.pk})
    body = refused.content.decode()
    assert refused.status_code == 200 and "没有跨区划派发" in body and 'value="群众投诉核查"' in body
    assert f'<option value="{elsewhere.pk}" selected>' in body

    done = _client(leader).post("/workorders/new/", form | {"assignee_org": inspector.organization_id})
    order = WorkOrder.objects.get(title="群众投诉核查")
    assert done.status_code == 302 and order.state == "pending_sign" and order.assignee_org_id == inspector.organization_id


def test_a_new_order_names_its_subject_by_name_or_code_never_by_id(leader: Any, inspector: Any) -> None:
    from regwatch.accounts.scope import visible
    from regwatch.subjects.models import Subject

    html = _client(leader).get("/workorders/new/").content.decode()
    assert "主体ID" not in html and 'list="subject-suggestions"' in html
    mine = visible(Subject.objects.exclude(uscc=None), leader).order_by("pk").first()
    outside = Subject.objects.exclude(pk__in=visible(Subject.objects.all(), leader)).exclude(uscc=None).first()
    assert mine is not None and outside is not None
    form = {"workflow": "risk_disposal", "title": "主体核查", "region": inspector.organization.region.pk}

    refused = _client(leader).post("/workorders/new/", form | {"subject": f"{outside.name}（{outside.uscc}）"})
    body = refused.content.decode()
    assert refused.status_code == 200 and "不在您的数据范围内" in body and 'value="主体核查"' in body
    assert not WorkOrder.objects.filter(title="主体核查").exists()

    done = _client(leader).post("/workorders/new/", form | {"subject": f"{mine.name}（{mine.uscc}）"})
    order = WorkOrder.objects.get(title="主体核查")
    assert done.status_code == 302 and order.subject == mine and order.region == mine.region
