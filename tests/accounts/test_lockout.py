"""Login throttling (probe finding 4): a stranger cannot lock anybody out, guessing is slowed and reported."""

from __future__ import annotations

import re
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.core.management import call_command
from django.test import Client, RequestFactory

from regwatch.accounts import lockout
from regwatch.accounts.models import User
from regwatch.audit.models import AccessEvent
from regwatch.notifications.models import Message
from tests.rawtext import visible_text

PASSWORD = "Regwatch#2026"
IP_A, IP_B, IP_C = "203.0.113.5", "198.51.100.7", "192.0.2.9"


def _answer() -> tuple[str, str]:
    key = CaptchaStore.generate_key()
    return key, CaptchaStore.objects.get(hashkey=key).response


def attempt(client: Client, username: str, password: str, ip: str = "10.1.2.3", captcha: str | None = None, via: str = "") -> Any:
    """One login try from ``ip`` (through the proxy ``via``); when the page asks for the CAPTCHA,
    answered (right unless ``captcha`` is given)."""
    data = {"username": username, "password": password}
    if lockout.captcha_required(username, ip):
        key, right = _answer()
        data |= {"captcha_0": key, "captcha_1": right if captcha is None else captcha}
    meta = {"REMOTE_ADDR": via, "HTTP_X_FORWARDED_FOR": ip} if via else {"REMOTE_ADDR": ip}
    return client.post("/login/", data, **meta)


def _signed_in(client: Client, user: Any) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_a_third_party_failing_for_admin_does_not_lock_admin_out(admin: Any) -> None:
    attacker = Client()
    statuses = [attempt(attacker, "admin", f"guess-{i}", IP_A).status_code for i in range(8)]
    assert statuses[:4] == [200] * 4 and statuses[4:] == [429] * 4  # the attacker's own address waits

    # The real admin, from another address: no lock, only the CAPTCHA the attack earned the account.
    page = Client().get("/login/", REMOTE_ADDR=IP_B)
    assert page.status_code == 200
    admin_client = Client()
    response = admin_client.post("/login/", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=IP_B)
    assert response.status_code == 200 and "请输入验证码" in response.content.decode()
    html = response.content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    assert f"/captcha/image/{key}/" in html
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = admin_client.post(
        "/login/", {"username": "admin", "password": PASSWORD, "captcha_0": key, "captcha_1": answer}, REMOTE_ADDR=IP_B
    )
    assert response.status_code == 302 and _signed_in(admin_client, admin)


def test_the_same_applies_behind_the_trusted_proxy(admin: Any, settings: Any) -> None:
    settings.REGWATCH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = "10.0.0.2"
    statuses = [attempt(Client(), "admin", f"x{i}", IP_A, via=proxy).status_code for i in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    assert lockout.blocked("admin", IP_B) is None and lockout.blocked("admin", proxy) is None
    client = Client()
    assert attempt(client, "admin", PASSWORD, IP_B, via=proxy).status_code == 302 and _signed_in(client, admin)


def test_client_address_trusts_forwarded_for_only_from_trusted_proxies(settings: Any) -> None:
    factory = RequestFactory()
    settings.REGWATCH_TRUSTED_PROXIES = []
    assert lockout.client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=IP_A)) == "10.0.0.2"
    settings.REGWATCH_TRUSTED_PROXIES = ["10.0.0.0/8", "172.16.0.1"]
    # A forged left-most entry is ignored: the right-most untrusted hop is the client.
    request = factory.get("/", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=f"{IP_C}, {IP_A}, 10.0.0.2")
    assert lockout.client_ip(request) == IP_A
    assert lockout.client_ip(factory.get("/", REMOTE_ADDR=IP_B, HTTP_X_FORWARDED_FOR=IP_A)) == IP_B  # not a proxy
    assert lockout.client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.2"


def test_delays_grow_per_failure_and_are_capped() -> None:
    lim = lockout.Limits()
    assert [lockout.delay_minutes(n, lim) for n in range(1, 13)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30]


def test_many_usernames_from_one_address_get_the_address_blocked(inspector: Any, security_admin: Any) -> None:
    client = Client()
    statuses = [attempt(client, f"nobody{i}", "guess", IP_C).status_code for i in range(20)]
    assert statuses[:19] == [200] * 19 and statuses[19] == 429
    blocked = attempt(client, "inspector", PASSWORD, IP_C)
    assert blocked.status_code == 429 and "您所在的网络地址登录失败次数过多" in blocked.content.decode()
    elsewhere = Client()
    assert attempt(elsewhere, "inspector", PASSWORD, IP_B).status_code == 302 and _signed_in(elsewhere, inspector)
    alerts = Message.objects.filter(recipient=security_admin, kind="login_alert")
    assert [m.title for m in alerts] == [f"登录异常：IP {IP_C}"]


def test_a_wrong_captcha_is_refused_in_chinese_and_the_password_is_not_tried(leader: Any) -> None:
    for _ in range(3):
        attempt(Client(), "leader", "wrong", IP_A)
    assert lockout.captcha_required("leader", IP_B)  # the account, from any address
    client = Client()
    response = attempt(client, "leader", PASSWORD, IP_B, captcha="zzzz")
    html = response.content.decode()
    assert response.status_code == 200 and "验证码错误，请重新输入图中字符。" in html
    assert 'value="leader"' in html  # the typed username is kept
    assert "用户名或密码错误" not in html and not _signed_in(client, leader)
    missing = client.post("/login/", {"username": "leader", "password": PASSWORD}, REMOTE_ADDR=IP_B)
    assert "请输入验证码。" in missing.content.decode()
    # Wrong CAPTCHAs never reach the password check, so they count no failure.
    assert lockout.blocked("leader", IP_B) is None
    assert attempt(client, "leader", PASSWORD, IP_B).status_code == 302


def test_captcha_image_renders(world: None) -> None:
    key, _ = _answer()
    response = Client().get(f"/captcha/image/{key}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_unlock_from_the_user_page_clears_the_state_and_is_audited(admin_client: Client, leader: Any) -> None:
    for i in range(5):
        attempt(Client(), "leader", f"wrong{i}", IP_A)
    assert lockout.blocked("leader", IP_A) is not None and lockout.captcha_required("leader", IP_B)
    page = admin_client.get(f"/users/{leader.pk}/")
    assert "正在等待延时或须输入验证码" in page.content.decode() and 'id="unlock-login"' in page.content.decode()
    response = admin_client.post(f"/account/users/{leader.pk}/unlock/", {"ip": IP_A}, follow=True)
    assert "已解除" in response.content.decode()
    assert lockout.blocked("leader", IP_A) is None and not lockout.captcha_required("leader", IP_B)
    events = AccessEvent.objects.filter(action="login_unlock")
    assert {e.target for e in events} == {str(leader), f"IP {IP_A}"}
    assert all(e.actor_label == "admin" for e in events)
    auditor = Client()
    auditor.force_login(User.objects.create_superuser("lockout-auditor", password=PASSWORD))
    listing = visible_text(auditor.get("/access-events/").content.decode())  # the action filter's option values are codes
    assert "解除登录限制" in listing and "login_unlock" not in listing
    client = Client()
    assert attempt(client, "leader", PASSWORD, IP_A).status_code == 302 and _signed_in(client, leader)


def test_audit_events_record_the_client_behind_the_proxy_not_the_proxy(admin_client: Client, leader: Any, settings: Any) -> None:
    settings.REGWATCH_TRUSTED_PROXIES = ["10.0.0.0/8"]
    admin_client.post(f"/account/users/{leader.pk}/unlock/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=IP_B)
    assert AccessEvent.objects.get(action="login_unlock").ip == IP_B


def test_unlock_needs_the_permission(inspector_client: Client, leader: Any) -> None:
    attempt(Client(), "leader", "wrong", IP_A)
    response = inspector_client.post(f"/account/users/{leader.pk}/unlock/")
    assert response.status_code in (403, 404)
    assert not AccessEvent.objects.filter(action="login_unlock").exists()


def test_unlock_command(leader: Any) -> None:
    for i in range(5):
        attempt(Client(), "leader", f"wrong{i}", IP_A)
    call_command("unlock", "leader", "--ip", IP_A)
    assert lockout.blocked("leader", IP_A) is None and not lockout.captcha_required("leader", IP_A)
    assert AccessEvent.objects.filter(action="login_unlock", target=str(leader)).exists()


def test_the_security_administrator_is_alerted_once_per_window(security_admin: Any, leader: Any) -> None:
    for ip in (IP_A, IP_B, IP_C):
        for i in range(6):
            attempt(Client(), "leader", f"wrong{i}", ip)
    alerts = Message.objects.filter(recipient=security_admin, kind="login_alert")
    assert alerts.count() == 1
    assert alerts.get().title == "登录异常：账号leader"
    assert "登录失败已达5次" in alerts.get().body
    assert not Message.objects.filter(recipient=leader, kind="login_alert").exists()


@pytest.mark.parametrize("path", ["/login/"])
def test_login_page_needs_no_captcha_for_a_clean_address(path: str, world: None) -> None:
    assert 'name="captcha_1"' not in Client().get(path, REMOTE_ADDR=IP_B).content.decode()
