"""Shared fixtures: one generated world (pack + subjects + demo users) per test database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

WORLD_SUBJECTS = 300
TODAY = dt.date(2026, 11, 1)


def build_world() -> None:
    from regwatch.packs.demo import ensure_demo_users
    from regwatch.packs.generate import generate_pack_data
    from regwatch.packs.models import PackInstall

    if PackInstall.objects.filter(name="food_credit").exists():
        return
    generate_pack_data("food_credit", WORLD_SUBJECTS, seed=7, today=TODAY)
    ensure_demo_users("food_credit")


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


@pytest.fixture
def inspector(world: None) -> Any:
    """Works for the 西湖区 bureau: sees only 西湖区."""
    return _user("inspector")


@pytest.fixture
def leader(world: None) -> Any:
    return _user("leader")


@pytest.fixture
def api_client_user(world: None) -> Any:
    return _user("api_client")


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
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
