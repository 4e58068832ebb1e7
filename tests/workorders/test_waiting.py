"""Orders that wait for someone: 我的待办 for verifiers, who is told, scope of notifications, cross-region refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from regwatch.accounts.models import User
from regwatch.core.models import Organization
from regwatch.notifications.models import Message
from regwatch.subjects.models import Subject
from regwatch.workorders.models import WorkflowDefinition, WorkOrder
from regwatch.workorders.queue import queue
from regwatch.workorders.workflow import TransitionRefused, create_order, transition, waiting_roles

from .conftest import photo


def _order(user: Any, subject: Any) -> WorkOrder:
    return create_order(user, workflow="risk_disposal", title=f"{subject.name}后厨卫生问题", region=subject.region, subject=subject)


def _to_verification(business_admin: Any, inspector: Any, subject: Any) -> WorkOrder:
    order = _order(business_admin, subject)
    transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    transition(order, inspector, "sign")
    transition(order, inspector, "feedback", {"result": "已现场检查", "conclusion": "confirmed_risk"}, [photo()])
    order.refresh_from_db()
    assert order.state == "pending_verify"
    return order


def _other_county_bureau(inspector: Any) -> Organization:
    county = inspector.organization.region
    return Organization.objects.filter(kind="bureau", region__parent=county.parent, region__level="county").exclude(region=county).first()  # type: ignore[return-value]


def _user(username: str, role_of: Any, org: Organization) -> Any:
    u = User.objects.create(username=username, organization=org, email=f"{username}@example.cn")
    u.groups.add(*role_of.groups.all())
    return u


def test_waiting_roles_follow_the_workflow_definition(world: None) -> None:
    spec = WorkflowDefinition.objects.get(code="risk_disposal", is_current=True).definition
    assert waiting_roles(spec, "pending_verify") == {"business_admin", "leader"}  # verification
    assert waiting_roles(spec, "pending_dispatch") == {"business_admin", "leader"}
    # The assignee must act: signing and handling are not anybody else's to-do, although a
    # leader may supervise or transfer there.
    assert waiting_roles(spec, "pending_sign") == set() and waiting_roles(spec, "handling") == set()


def test_a_verifier_finds_orders_awaiting_verification_in_my_todo(
    business_admin: Any, inspector: Any, leader: Any, subject: Any, inspector_client: Any
) -> None:
    order = _to_verification(business_admin, inspector, subject)
    assert order in queue(business_admin, "mine") and order in queue(leader, "mine")
    assert order not in queue(inspector, "mine")  # handed over: no longer the handler's to-do
    # A business admin of another county holds the role but not the scope.
    outsider = _user("ba_other_county", business_admin, _other_county_bureau(inspector))
    assert order not in queue(outsider, "mine")
    from tests.conftest import login

    page = login(business_admin).get("/workorders/").content.decode()
    assert order.number in page and "待核查" in page
    assert order.number not in inspector_client.get("/workorders/").content.decode()
    transition(order, leader, "verify_close", {"verify_opinion": "整改到位"})
    assert order not in queue(leader, "mine") and order not in queue(business_admin, "mine")


def test_people_are_told_when_an_order_waits_for_them(
    business_admin: Any, inspector: Any, leader: Any, subject: Any, django_capture_on_commit_callbacks: Any
) -> None:
    colleague = _user("insp_colleague", inspector, inspector.organization)
    outsider = _user("ba_other_county", business_admin, _other_county_bureau(inspector))
    with django_capture_on_commit_callbacks(execute=True):
        order = _to_verification(business_admin, inspector, subject)
    kinds = {(m.recipient.username, m.kind) for m in Message.objects.select_related("recipient")}
    assert ("inspector", "order_assigned") in kinds and ("insp_colleague", "order_assigned") in kinds  # assigned to their bureau
    assert ("leader", "order_waiting") in kinds and ("business_admin", "order_waiting") in kinds  # dispatch, then verification
    verify = Message.objects.filter(recipient=leader, kind="order_waiting", title__contains=order.number).order_by("-id").first()
    assert verify is not None and "待核查" in verify.body and "核查办结" in verify.body and verify.url == f"/work-orders/{order.pk}/"
    assert not Message.objects.filter(recipient=outsider).exists()  # same role, other county: told nothing
    assert not Message.objects.filter(recipient=inspector, kind="order_step", body__contains="签收").exists()  # not of own step
    assert colleague.messages.filter(kind="order_step").exists()


def test_notifications_never_reveal_an_order_outside_the_recipients_scope(
    business_admin: Any, inspector: Any, django_capture_on_commit_callbacks: Any
) -> None:
    elsewhere = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).first()
    assert elsewhere is not None
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(business_admin, elsewhere)
        # business_admin holds cross-region rights (workorders.*): the order may go to 西湖区 …
        transition(order, business_admin, "dispatch", {"assignee_org": inspector.organization_id})
    # … but the 西湖区 inspector cannot see it, so is told nothing about it.
    assert not Message.objects.filter(recipient=inspector).exists()
    assert order not in queue(inspector, "mine")


def test_dispatch_transfer_and_co_handling_outside_the_region_are_refused(
    business_admin: Any, inspector: Any, leader: Any, subject: Any
) -> None:
    other = _other_county_bureau(inspector)
    order = _order(business_admin, subject)
    with pytest.raises(TransitionRefused) as exc:
        transition(order, leader, "dispatch", {"assignee_org": other.pk})
    assert exc.value.code == "region" and exc.value.status == 403
    assert other.name in exc.value.message and "跨区划" in exc.value.message and "西湖区" in exc.value.message
    order.refresh_from_db()
    assert order.state == "pending_dispatch" and order.assignee_org_id is None
    city_bureau = Organization.objects.get(code=f"SAMR-{inspector.organization.region.parent.code}")
    transition(order, leader, "dispatch", {"assignee_org": city_bureau.pk})  # the city contains the order: allowed
    transition(order, leader, "transfer", {"assignee_org": inspector.organization_id, "reason": "属地办理"})
    with pytest.raises(TransitionRefused, match="跨区划"):
        transition(order, leader, "transfer", {"assignee_org": other.pk, "reason": "转外区"})
    transition(order, inspector, "sign")
    with pytest.raises(TransitionRefused, match="跨区划"):
        transition(order, inspector, "co_handle", {"co_org": other.pk})
    offices = Organization.objects.filter(kind="office", region__path__startswith=inspector.organization.region.path)
    own = next(o for o in offices if subject.region.path.startswith(o.region.path))
    neighbour = next(o for o in offices if not subject.region.path.startswith(o.region.path))
    with pytest.raises(TransitionRefused, match="跨区划"):  # another township's office has no say over this one
        transition(order, inspector, "co_handle", {"co_org": neighbour.pk})
    transition(order, inspector, "co_handle", {"co_org": own.pk})  # the street office of the subject's township
    # With the right, the same hand-over is allowed.
    leader.user_permissions.add(Permission.objects.get(codename="dispatch_cross_region"))
    leader = User.objects.get(pk=leader.pk)  # fresh permission cache
    transition(order, leader, "transfer", {"assignee_org": other.pk, "reason": "跨区协同"})
    order.refresh_from_db()
    assert order.assignee_org_id == other.pk


def test_cross_region_refusal_in_api_and_ui_and_on_creation(business_admin: Any, inspector: Any, leader: Any, subject: Any) -> None:
    other = _other_county_bureau(inspector)
    order = _order(business_admin, subject)
    client = APIClient()
    client.force_authenticate(leader)
    url = f"/api/v1/workorders/orders/{order.pk}/transition/"
    r = client.post(url, {"action": "dispatch", "fields": {"assignee_org": other.pk}}, format="json")
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert "跨区划" in r.json()["detail"] and r.json()["errors"] == {"region": ["需要跨区划派发权限"]}
    from tests.conftest import login

    form = login(leader).get(f"/work-orders/{order.pk}/").content.decode()
    assert f'value="{inspector.organization_id}"' in form and f'value="{other.pk}"' not in form  # not offered …
    assert f'value="{other.pk}"' in login(business_admin).get(f"/work-orders/{order.pk}/").content.decode()
    page = login(leader).post(f"/workorders/{order.pk}/transition/", {"action": "dispatch", "assignee_org": str(other.pk)}, follow=True)
    assert "操作未执行" in page.content.decode() and "跨区划" in page.content.decode()  # … and refused if posted anyway
    with pytest.raises(TransitionRefused, match="跨区划"):
        create_order(leader, workflow="risk_disposal", title="外区派单", region=subject.region, subject=subject, assignee_org=other)
