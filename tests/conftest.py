"""Shared fixtures: one generated world per test database.

The world holds two packs side by side: ``food_credit`` (300 enterprises in 杭州/宁波) and the
deliberately different test pack ``eco_watch`` (120 polluting units and construction projects in
杭州/温州, found through ``REGWATCH_PACK_DIRS`` in ``tests/fixture_packs``), both graded as of TODAY.
The demo users are food_credit's: the 西湖区 inspector sees both packs' subjects in 西湖区.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

WORLD_SUBJECTS = 300
TEST_PACK = "eco_watch"
TEST_PACK_SUBJECTS = 120
TODAY = dt.date(2026, 11, 1)
FIXTURE_PACKS = Path(__file__).resolve().parent / "fixture_packs"

# Before settings load where possible (and for `regwatch` subprocesses); pytest_configure covers the rest.
os.environ["REGWATCH_PACK_DIRS"] = os.pathsep.join(
    [p for p in os.environ.get("REGWATCH_PACK_DIRS", "").split(os.pathsep) if p and p != str(FIXTURE_PACKS)] + [str(FIXTURE_PACKS)]
)


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    if str(FIXTURE_PACKS) not in settings.REGWATCH_PACK_DIRS:
        settings.REGWATCH_PACK_DIRS = [*settings.REGWATCH_PACK_DIRS, str(FIXTURE_PACKS)]


def grade_world(packs: list[str]) -> None:
    """Publish one full run per scoring model of each pack, as of TODAY (scoring runs per pack)."""
    from regwatch.audit.context import system
    from regwatch.scoring.models import ModelVersion
    from regwatch.scoring.runs import run_scoring

    with system("test-world"):
        for version in ModelVersion.objects.filter(model__pack__in=packs, status=ModelVersion.Status.PUBLISHED).select_related(
            "model__scheme"
        ):
            run_scoring(version, as_of=TODAY, trigger="test")


def build_world() -> None:
    from regwatch.packs.demo import ensure_demo_users
    from regwatch.packs.generate import generate_pack_data
    from regwatch.packs.models import PackInstall

    if PackInstall.objects.filter(name="food_credit").exists():
        return
    generate_pack_data("food_credit", WORLD_SUBJECTS, seed=7, today=TODAY)
    generate_pack_data(TEST_PACK, TEST_PACK_SUBJECTS, seed=11, today=TODAY)
    ensure_demo_users("food_credit")
    grade_world(["food_credit", TEST_PACK])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(db: None) -> None:
    build_world()  # a no-op unless a transactional test flushed the database


def _user(username: str) -> Any:
    from regwatch.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def admin(world: None) -> Any:
    return _user("admin")


OVERSEER_ROLES = ("leader", "business_admin", "data_admin", "model_admin")


def make_overseer() -> Any:
    """A city-level user with every business role and every region: sees every business list.

    The system administrator (``admin``) no longer does (三员分立): tests that look at business
    pages through one user look through this one.
    """
    from django.contrib.auth.models import Group

    from regwatch.accounts.models import User

    admin = _user("admin")
    user, created = User.objects.get_or_create(
        username="overseer", defaults={"display_name": "综合业务测试员", "organization": admin.organization, "scope_all": True}
    )
    if created:
        from regwatch.packs.demo import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)  # browser tests sign in with it
        user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=OVERSEER_ROLES))
    return user


@pytest.fixture
def overseer(world: None) -> Any:
    return make_overseer()


@pytest.fixture
def overseer_client(overseer: Any) -> Client:
    return login(overseer)


@pytest.fixture
def inspector(world: None) -> Any:
    """Works for the 西湖区 bureau: sees only 西湖区."""
    return _user("inspector")


@pytest.fixture
def leader(world: None) -> Any:
    return _user("leader")


@pytest.fixture
def security_admin(world: None) -> Any:
    """Grants roles and scopes and receives login alerts (三员分立)."""
    return _user("security_admin")


@pytest.fixture
def api_client_user(world: None) -> Any:
    return _user("api_client")


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> None:
    """Login failure counters live in a cache shared across tests: each test starts with none."""
    from django.core.cache import caches

    caches["login"].clear()


def verify_otp_session(client: Client, user: Any) -> None:
    """Mark ``client``'s session as having passed two-factor sign-in, with a real confirmed TOTP device,
    for a user who needs it (the administrator roles, REGWATCH_OTP_REQUIRED_ROLES): what the code page
    does through ``django_otp.login``.  tests/accounts/test_otp.py signs in the real way."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from regwatch.accounts import otp

    if not otp.required(user):
        return
    device = otp.device_of(user) or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# Every test client signed in with force_login is also past the second factor, so the many tests
# that sign administrators in that way keep testing what they test.  ``login_password_only`` skips it.
_force_login_password_only = Client.force_login


def _force_login(self: Client, user: Any, backend: str | None = None) -> None:
    _force_login_password_only(self, user, backend)
    verify_otp_session(self, user)


Client.force_login = _force_login  # type: ignore[method-assign]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def totp_code(device: Any) -> str:
    """The code an authenticator app shows now for ``device`` (RFC 6238, computed from its key)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login_password_only(user: Any) -> Client:
    """Signed in with the password alone: an administrator must still pass two-factor sign-in."""
    client = Client()
    _force_login_password_only(client, user)
    return client


@pytest.fixture
def admin_client(admin: Any) -> Client:
    return login(admin)


@pytest.fixture
def inspector_client(inspector: Any) -> Client:
    return login(inspector)


@pytest.fixture
def data_admin(world: None) -> Any:
    return _user("data_admin")


@pytest.fixture
def data_admin_client(data_admin: Any) -> Client:
    return login(data_admin)
