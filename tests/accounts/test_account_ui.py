"""Accounts run from the UI: initial passwords, forced change, reset, Chinese role names, 404 page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client

from regwatch.accounts.models import User
from regwatch.accounts.scope import visible
from regwatch.audit.models import AuditEvent
from regwatch.packs.demo import ensure_demo_users
from regwatch.subjects.models import Subject
from tests.conftest import login

NEW_PASSWORD = "Qiantang#River2026"


def _create(admin_client: Client, **extra: Any) -> Any:
    data = {
        "username": "zhangsan",
        "display_name": "张三",
        "is_active": "on",
        "password1": "Initial#Pass2026",
        "password2": "Initial#Pass2026",
        **extra,
    }
    return admin_client.post("/users/add/", data)


def _sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302, response.content.decode()
    return client


def test_the_user_form_asks_for_an_initial_password_only_when_creating(admin_client: Client, leader: Any) -> None:
    add = admin_client.get("/users/add/").content.decode()
    assert "初始密码" in add and "确认初始密码" in add
    edit = admin_client.get(f"/users/{leader.pk}/edit/").content.decode()
    assert "初始密码" not in edit


def test_an_initial_password_must_pass_the_validators_and_match(admin_client: Client) -> None:
    weak = _create(admin_client, password1="12345678", password2="12345678")
    assert weak.status_code == 400
    page = weak.content.decode()
    assert "zhangsan" in page  # what was typed stays
    assert "密码" in page and "invalid-feedback" in page
    mismatch = _create(admin_client, password2="Other#Pass2026x")
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_created_user_must_change_the_password_at_first_login(admin_client: Client) -> None:
    assert _create(admin_client).status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.must_change_password and user.check_password("Initial#Pass2026")
    assert user.role_names == []  # roles come from the security administrator (test_separation.py)
    user.groups.add(Group.objects.get(name="inspector"))

    client = _sign_in("zhangsan", "Initial#Pass2026")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/account/password/"
    assert client.get("/subjects/")["Location"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "您的密码由管理员设置" in page and "当前密码" in page and "新密码" in page
    assert client.get("/static/regwatch/app.css").status_code != 302  # static stays reachable
    assert client.get("/notifications/badge/", HTTP_HX_REQUEST="true").status_code == 403  # not the page, swapped in
    api = client.get("/api/v1/subjects/")
    assert api.status_code == 403 and "修改初始密码" in api.json()["detail"]

    wrong = client.post("/account/password/", {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.content.decode()
    same = client.post(
        "/account/password/",
        {"old_password": "Initial#Pass2026", "new_password1": "Initial#Pass2026", "new_password2": "Initial#Pass2026"},
    )
    assert "新密码不能与当前密码相同" in same.content.decode()

    done = client.post(
        "/account/password/", {"old_password": "Initial#Pass2026", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # still signed in, and free to go anywhere
    _sign_in("zhangsan", NEW_PASSWORD)


def test_token_api_calls_are_untouched_by_the_flag(api_client_user: Any) -> None:
    from rest_framework.authtoken.models import Token

    api_client_user.must_change_password = True
    api_client_user.save()
    token = Token.objects.get_or_create(user=api_client_user)[0]
    response = Client().get("/api/v1/subjects/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_every_user_can_change_their_own_password_from_the_user_menu(leader: Any) -> None:
    client = login(leader)
    assert 'href="/account/password/"' in client.get("/").content.decode()
    response = client.post("/account/password/", {"old_password": "Regwatch#2026", "new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "密码长度太短" in response.content.decode()  # Django's validator, in Chinese, beside the field


def test_an_administrator_resets_a_password_which_is_shown_once_and_never_audited(admin_client: Client, leader: Any) -> None:
    detail = admin_client.get(f"/users/{leader.pk}/").content.decode()
    assert "重置密码" in detail
    response = admin_client.post(f"/account/users/{leader.pk}/reset-password/", {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "仅显示这一次" in page
    leader.refresh_from_db()
    assert leader.must_change_password
    shown = page.split('id="temporary-password">')[1].split("<")[0]
    assert len(shown) == 12 and leader.check_password(shown)
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(leader.pk)).latest("pk")
    assert event.after is not None and event.after["must_change_password"] is True
    assert "password" not in event.after and shown not in str(event.after)
    after = _visible_text(admin_client.get(f"/users/{leader.pk}/").content.decode())
    assert "须修改密码" in after and "True" not in after and shown not in after
    client = _sign_in("leader", shown)
    assert client.get("/")["Location"] == "/account/password/"


def test_a_typed_temporary_password_is_validated(admin_client: Client, leader: Any) -> None:
    weak = admin_client.post(f"/account/users/{leader.pk}/reset-password/", {"password1": "123", "password2": "123"})
    assert weak.status_code == 400
    leader.refresh_from_db()
    assert not leader.must_change_password
    typed = admin_client.post(f"/account/users/{leader.pk}/reset-password/", {"password1": "Typed#Temp2026", "password2": "Typed#Temp2026"})
    assert "Typed#Temp2026" in typed.content.decode()
    leader.refresh_from_db()
    assert leader.check_password("Typed#Temp2026") and leader.must_change_password


def test_an_inspector_cannot_reset_a_password(inspector_client: Client, leader: Any) -> None:
    assert inspector_client.post(f"/account/users/{leader.pk}/reset-password/", {}).status_code == 403
    assert inspector_client.get(f"/account/users/{leader.pk}/reset-password/").status_code == 403
    leader.refresh_from_db()
    assert leader.check_password("Regwatch#2026") and not leader.must_change_password


def test_roles_are_shown_by_their_chinese_names(admin_client: Client, leader: Any) -> None:
    page = admin_client.get("/users/").content.decode()
    assert "系统管理员" in page and "监管人员" in page and "领导" in page
    inspector_row = next(r for r in page.split("<tr>") if ">inspector</" in r)
    assert re.search(r"<td[^>]*>监管人员</td>", inspector_row)  # the role column
    assert '<option value="system_admin">系统管理员</option>' in page  # the role filter
    assert "system_admin" not in _visible_text(page)
    filtered = admin_client.get("/users/", {"role": "leader"}).content.decode()
    assert ">leader<" in filtered and ">inspector<" not in filtered
    form = admin_client.get(f"/users/{leader.pk}/edit/").content.decode()
    assert "模型管理员" in _visible_text(form) and "model_admin" not in _visible_text(form)
    assert "领导" in admin_client.get(f"/users/{leader.pk}/").content.decode()


def test_the_demo_ships_two_model_administrators(world: None) -> None:
    ensure_demo_users("food_credit")
    admins = User.objects.filter(groups__name="model_admin").order_by("username")
    assert [u.username for u in admins] == ["model_admin", "model_admin2"]
    assert all(u.check_password("Regwatch#2026") and not u.must_change_password for u in admins)


def test_an_out_of_scope_object_is_the_same_friendly_404_as_a_missing_one(inspector: Any) -> None:
    client = login(inspector)
    outside = Subject.objects.exclude(pk__in=visible(Subject.objects.all(), inspector)).first()
    assert outside is not None
    hidden = client.get(f"/subjects/{outside.pk}/")
    missing = client.get("/subjects/999999999/")
    assert hidden.status_code == missing.status_code == 404
    body = hidden.content.decode()
    assert "未找到该对象，或您无权查看" in body and 'href="/subjects/"' in body and 'id="main-nav"' in body
    assert outside.name not in body
    assert _without_tokens(body.replace(str(outside.pk), "")) == _without_tokens(missing.content.decode().replace("999999999", ""))


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _without_tokens(html: str) -> str:
    # CSRF tokens are masked afresh on every response.
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
