"""Three-role separation (三员分立) for grants, and one audit event per change of a user's access.

The probe: the system administrator added the model-admin role to itself and could then edit
scorecards, and no change of roles, regions or scope flags left an audit event.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

from regwatch.accounts.models import User
from regwatch.accounts.services import NEEDS_SECURITY_ADMIN, NOT_YOURSELF, save_user
from regwatch.audit.models import AuditEvent
from regwatch.core.models import Region
from tests.conftest import login


@pytest.fixture
def auditor(world: None) -> Any:
    return User.objects.get(username="auditor")


def _form(user: User, **changes: Any) -> dict[str, Any]:
    """What the user form posts for ``user`` as stored, with ``changes``; unticked boxes are absent."""
    data: dict[str, Any] = {
        "username": user.username,
        "display_name": user.display_name,
        "organization": user.organization_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "extra_regions": [r.pk for r in user.extra_regions.all()],
        "scope_all": user.scope_all,
        "is_active": user.is_active,
        **changes,
    }
    return {k: v for k, v in data.items() if v is not False}


def _role(code: str) -> Group:
    return Group.objects.get(name=code)


def _events(user: User) -> Any:
    return AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by("id")


def _access(user: User) -> tuple[Any, ...]:
    fresh = User.objects.get(pk=user.pk)
    return (
        sorted(fresh.groups.values_list("name", flat=True)),
        sorted(fresh.extra_regions.values_list("code", flat=True)),
        fresh.scope_all,
        fresh.organization_id,
    )


def test_the_system_admin_cannot_grant_itself_the_model_admin_role(admin: Any) -> None:
    client, before, events = login(admin), _access(admin), _events(admin).count()
    groups = [*(g.pk for g in admin.groups.all()), _role("model_admin").pk]
    response = client.post(f"/users/{admin.pk}/edit/", _form(admin, groups=groups))
    assert response.status_code == 400
    page = response.content.decode()
    assert NOT_YOURSELF in page
    assert f'value="{_role("model_admin").pk}" selected' in page  # what was chosen stays, to be seen
    assert _access(admin) == before and _events(admin).count() == events
    assert not User.objects.get(pk=admin.pk).has_perm("scoring.change_modelversion")  # no scorecard editing


def test_the_api_cannot_change_ones_own_roles_or_organisation(admin: Any, inspector: Any) -> None:
    client, before = login(admin), _access(admin)
    # Roles are no field of the API; a posted one is ignored, never applied.
    client.patch(f"/api/v1/users/{admin.pk}/", {"groups": [_role("model_admin").pk]}, content_type="application/json")
    moved = client.patch(f"/api/v1/users/{admin.pk}/", {"organization": inspector.organization_id}, content_type="application/json")
    assert moved.status_code == 403 and NOT_YOURSELF in moved.json()["detail"]
    assert _access(admin) == before


def test_the_api_still_creates_accounts_for_the_system_admin(admin: Any) -> None:
    data = {"username": "wangwu", "display_name": "王五", "organization": admin.organization_id, "is_active": True}
    response = login(admin).post("/api/v1/users/", data, content_type="application/json")
    assert response.status_code == 201
    assert User.objects.get(username="wangwu").role_names == []


def test_the_system_admin_cannot_grant_a_role_or_a_scope_to_someone_else(admin: Any, leader: Any, inspector: Any) -> None:
    client, before, events = login(admin), _access(leader), _events(leader).count()
    groups = [*(g.pk for g in leader.groups.all()), _role("model_admin").pk]
    refused = client.post(f"/users/{leader.pk}/edit/", _form(leader, groups=groups))
    assert refused.status_code == 400 and NEEDS_SECURITY_ADMIN in refused.content.decode()
    assert client.post(f"/users/{leader.pk}/edit/", _form(leader, scope_all=True)).status_code == 400
    assert _access(leader) == before and _events(leader).count() == events
    # Still the manager of accounts: names and sign-in stay the system administrator's job.
    assert client.post(f"/users/{leader.pk}/edit/", _form(leader, display_name="分管副局长")).status_code == 302
    assert User.objects.get(pk=leader.pk).display_name == "分管副局长"


def test_the_system_admin_creates_accounts_but_without_roles(admin: Any) -> None:
    client = login(admin)
    data = {"username": "lisi", "display_name": "李四", "organization": admin.organization_id, "is_active": "on"}
    data |= {"password1": "Initial#Pass2026", "password2": "Initial#Pass2026"}
    with_role = client.post("/users/add/", {**data, "groups": [_role("inspector").pk]})
    assert with_role.status_code == 400 and NEEDS_SECURITY_ADMIN in with_role.content.decode()
    assert not User.objects.filter(username="lisi").exists()
    assert client.post("/users/add/", data).status_code == 302
    assert User.objects.get(username="lisi").role_names == []


def test_the_security_admin_grants_a_role_with_one_audit_event_naming_it(security_admin: Any, leader: Any) -> None:
    client, seen = login(security_admin), _events(leader).count()
    groups = [*(g.pk for g in leader.groups.all()), _role("model_admin").pk]
    assert client.post(f"/users/{leader.pk}/edit/", _form(leader, groups=groups)).status_code == 302
    assert User.objects.get(pk=leader.pk).role_names.count("模型管理员") == 1
    [event] = _events(leader)[seen:]
    assert event.actor == security_admin and event.action == "update"
    assert event.before == {"groups": ["领导"]} and event.after == {"groups": ["模型管理员", "领导"]}
    history = client.get(f"/users/{leader.pk}/").content.decode()
    assert "角色" in history and "模型管理员" in history and "model_admin" not in history


def test_adding_and_removing_an_extra_region_each_write_one_event(security_admin: Any, inspector: Any) -> None:
    client, seen = login(security_admin), _events(inspector).count()
    region = Region.objects.exclude(pk=inspector.organization.region_id).filter(level="county").order_by("code").first()
    assert region is not None
    assert client.post(f"/users/{inspector.pk}/edit/", _form(inspector, extra_regions=[region.pk])).status_code == 302
    [added] = _events(inspector)[seen:]
    assert added.before == {"extra_regions": []} and added.after == {"extra_regions": [region.full_name]}
    assert client.post(f"/users/{inspector.pk}/edit/", _form(inspector, extra_regions=[])).status_code == 302
    [_, removed] = _events(inspector)[seen:]
    assert removed.before == {"extra_regions": [region.full_name]} and removed.after == {"extra_regions": []}
    assert removed.actor == security_admin


def test_a_scope_flag_change_writes_one_event(security_admin: Any, inspector: Any) -> None:
    client, seen = login(security_admin), _events(inspector).count()
    assert client.post(f"/users/{inspector.pk}/edit/", _form(inspector, scope_all=True)).status_code == 302
    [event] = _events(inspector)[seen:]
    assert event.changes == [("scope_all", False, True)] and event.actor == security_admin
    page = client.get(f"/users/{inspector.pk}/").content.decode()
    assert "全域数据权限" in page


def test_nobody_changes_their_own_access_not_even_the_security_admin(security_admin: Any) -> None:
    client, before = login(security_admin), _access(security_admin)
    response = client.post(f"/users/{security_admin.pk}/edit/", _form(security_admin, scope_all=True))
    assert response.status_code == 400 and NOT_YOURSELF in response.content.decode()
    with pytest.raises(PermissionDenied, match="不能修改自己"):
        save_user(security_admin, security_admin, lambda: security_admin.groups.add(_role("model_admin")))
    assert _access(security_admin) == before


def test_the_auditor_grants_nothing(auditor: Any, leader: Any) -> None:
    client, before = login(auditor), _access(leader)
    assert client.get(f"/users/{leader.pk}/edit/").status_code == 403
    assert client.post(f"/users/{leader.pk}/edit/", _form(leader, groups=[_role("model_admin").pk])).status_code == 403
    with pytest.raises(PermissionDenied, match="安全管理员"):
        save_user(auditor, leader, lambda: leader.groups.add(_role("model_admin")))
    assert _access(leader) == before


def test_shell_changes_are_audited_once_each_from_either_end(leader: Any) -> None:
    """No request, no service: the Django shell and scripts leave the same trail, as "system"."""
    seen = _events(leader).count()
    leader.groups.add(_role("model_admin"))
    leader.groups.add(_role("model_admin"))  # already there: no change, no event
    _role("inspector").user_set.add(leader)  # from the other end
    leader.user_permissions.add(Permission.objects.get(codename="view_user"))
    leader.groups.set([_role("leader")])  # revokes two roles at once: one event
    events = list(_events(leader)[seen:])
    assert [(e.before, e.after) for e in events] == [
        ({"groups": ["领导"]}, {"groups": ["模型管理员", "领导"]}),
        ({"groups": ["模型管理员", "领导"]}, {"groups": ["模型管理员", "监管人员", "领导"]}),
        ({"user_permissions": []}, {"user_permissions": ["查看用户"]}),
        ({"groups": ["模型管理员", "监管人员", "领导"]}, {"groups": ["领导"]}),
    ]
    assert {e.actor_label for e in events} == {"system"}
