"""Issue 10, probe finding 6 in general: no integer, however large, negative or oddly written, gets a
5xx from any numeric parameter: every numeric filter of every registered list (UI and API), every
object id in a detail address, and the numeric fields of the bespoke forms (snooze and suppress
days, chosen ids, the override page's subject)."""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from regwatch.warnings.firing import fire
from regwatch.warnings.models import WarningRule
from regwatch.web.registry import REGISTRY
from tests.conftest import login

NUMERIC = (django_filters.NumberFilter, django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
PARAMS = sorted(
    (slug, name) for slug, otype in REGISTRY.items() for name, f in otype.filterset.base_filters.items() if isinstance(f, NUMERIC)
) + [(slug, p) for slug in sorted(REGISTRY) for p in ("page", "page_size")]

# Out of every column's range, at its edges, negative, and written in ways int() or Decimal() accept.
numbers = st.one_of(
    st.integers(min_value=2**63 - 2, max_value=2**63 + 2).map(str),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2).map(str),
    st.integers(min_value=10**20, max_value=10**40).map(str),
    st.integers(max_value=-1).map(str),
    st.sampled_from(["12345678901234567890123", "0", "-0", "1e30", "-1e30", "9" * 400, "1.5", "٣", "²", "NaN", "Infinity", "+7"]),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def test_the_registry_has_numeric_parameters_to_try() -> None:
    names = {name for _, name in PARAMS}
    assert {"subject", "rule", "batch", "page"} <= names


@FAST
@given(param=st.sampled_from(PARAMS), value=numbers)
def test_no_numeric_list_parameter_causes_a_server_error(admin: Any, param: tuple[str, str], value: str) -> None:
    slug, name = param
    ui = login(admin).get(f"/{slug}/", {name: value})
    assert ui.status_code < 500, (slug, name, value)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=admin)[0].key}")
    response = api.get(f"/api/v1/{slug}/", {name: value})
    assert response.status_code < 500, (slug, name, value)
    if response.status_code == 400:
        assert response["Content-Type"] == "application/problem+json"


@FAST
@given(slug=st.sampled_from(sorted(REGISTRY)), value=numbers)
def test_no_object_id_in_an_address_causes_a_server_error(admin: Any, slug: str, value: str) -> None:
    assert login(admin).get(f"/{slug}/{value}/").status_code < 500, (slug, value)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=admin)[0].key}")
    assert api.get(f"/api/v1/{slug}/{value}/").status_code < 500, (slug, value)


@pytest.fixture
def open_warning(inspector: Any) -> Any:
    from regwatch.subjects.models import Subject

    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).order_by("pk").first()
    return fire(subject, rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-10-30"})


@FAST
@given(value=numbers)
def test_no_numeric_form_field_causes_a_server_error(open_warning: Any, value: str) -> None:
    from regwatch.accounts.models import User

    client = login(User.objects.get(username="business_admin"))
    w = open_warning
    for action in ("snooze", "suppress"):
        assert client.post(f"/warnings/{w.pk}/{action}/", {"days": value, "reason": "性质测试"}).status_code < 500, (action, value)
    assert client.post(f"/warnings/{w.pk}/merge/", {"ids": [value]}).status_code < 500, value
    assert client.post("/warnings/bulk/", {"ids": [value], "decision": "confirm", "reason": "性质测试"}).status_code < 500, value
    assert client.get("/scoring/overrides/", {"subject": value}).status_code < 500, value
    assert client.get(f"/workorders/attachments/{value}/").status_code < 500, value
