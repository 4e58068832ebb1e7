"""Property-based API testing against our own OpenAPI schema (schemathesis)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from regwatch.wsgi import application


@pytest.fixture
def keep_connection() -> Any:
    """Calling the WSGI app directly fires request_started/finished, which would close the test's
    transaction-holding connection (PostgreSQL); Django's own test client disconnects them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world: None, keep_connection: None) -> Any:
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    # Thousands of generated calls, hundreds of them without credentials, within one test: above any
    # real caller's rate.  The limits themselves are tested in tests/security/test_rate_limits.py.
    with override_settings(REGWATCH_API_RATE="1000000/min", REGWATCH_API_ANON_RATE="1000000/min"):
        yield loaded


# Every operation, reads and writes: writes run inside the test's rolled-back transaction.
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, admin: Any) -> None:
    token = Token.objects.get_or_create(user=admin)[0].key
    # Positive-data acceptance is left out: generated foreign keys point at rows that do not
    # exist, which the API rightly refuses with 400.  Every other check applies.
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=[schemathesis.checks.positive_data_acceptance])
