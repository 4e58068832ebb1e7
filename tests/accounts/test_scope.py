"""A county user sees nothing outside the county: every list, detail, export, search and API endpoint."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from regwatch.accounts.scope import allows_object, is_scoped, region_of, visible
from regwatch.web.registry import REGISTRY
from tests.builders import BUILDERS, World, build, make_world

SCOPED = [slug for slug, o in REGISTRY.items() if is_scoped(o.model)]
# Reference data shared by every region.  A new business model must declare
# scope_region_field (or scope_owner_field) or be added here deliberately.
UNSCOPED_REFERENCE = {
    "regions",
    "organizations",
    "dictionaries",
    "dictionary-items",
    "subject-kinds",
    "record-types",
    "tags",
    "audit-events",
    "access-events",
    "users",
    "jobs",
    # intake/quality configuration; batches, quarantined rows and measurements carry a region.
    "intake-sources",
    "intake-mappings",
    "quality-rules",
    "catalog-datasets",
    "catalog-fields",
    "warning-rules",
    "workflows",
    # scoring configuration; per-subject results (scores, grades, overrides) are scoped.
    "indicators",
    "grade-schemes",
    "model-versions",
    "scoring-runs",
}


def test_every_registered_type_is_scoped_or_declared_reference_data() -> None:
    assert set(REGISTRY) - set(SCOPED) == UNSCOPED_REFERENCE
    assert {
        "subjects",
        "records",
        "subject-tags",
        "warnings",
        "work-orders",
        "clues",
        "ledgers",
        "current-grades",
        "scores",
        "grade-overrides",
        "messages",
        "intake-batches",
        "intake-quarantine",
        "quality-measurements",
    } <= set(SCOPED)


def test_every_registered_type_has_a_builder() -> None:
    missing = sorted(slug for slug, o in REGISTRY.items() if o.model not in BUILDERS)
    assert not missing, f"add a @builds(...) function in tests/builders.py for: {missing}"


@pytest.fixture
def county(inspector: Any) -> Any:
    """A 西湖区 user holding every role's permissions (a county data administrator, inspector, leader...),
    so each type's scope is tested with its view permission in hand."""
    from django.contrib.auth.models import Group

    from regwatch.accounts.models import User

    user, _ = User.objects.get_or_create(username="county_all", defaults={"organization": inspector.organization})
    user.groups.set(Group.objects.all())
    return user


@pytest.fixture
def county_world(county: Any, admin: Any) -> World:
    return make_world(county, admin)


@pytest.fixture
def county_client(county: Any) -> Any:
    from tests.conftest import login

    return login(county)


def _split(slug: str, user: Any) -> tuple[list[Any], list[Any]]:
    qs = REGISTRY[slug].queryset()
    prefix = user.organization.region.path
    inside = [o for o in qs if region_of(o).path.startswith(prefix)]
    outside = [o for o in qs if not region_of(o).path.startswith(prefix)]
    assert inside and outside, f"world must have {slug} both inside and outside {prefix}"
    return inside, outside


def _pair(slug: str, world: World) -> tuple[Any, Any]:
    inside, outside = build(REGISTRY[slug].model, world)
    assert allows_object(world.user, inside), f"{slug}: the builder's inside object is not in the county"
    assert not allows_object(world.user, outside), f"{slug}: the builder's outside object is in the county"
    return inside, outside


def _term(slug: str, obj: Any) -> str:
    """A keyword that finds ``obj`` through the type's own search fields."""
    from regwatch.web.registry import value_at

    fields = getattr(REGISTRY[slug].filterset, "search_fields", ())
    for f in fields:
        value = value_at(obj, f)
        if isinstance(value, str) and value:
            return value
    return ""


@pytest.mark.parametrize("slug", SCOPED)
def test_ui_list_shows_only_own_county(slug: str, county_world: World, county_client: Any) -> None:
    inside, outside = _pair(slug, county_world)
    response = county_client.get(REGISTRY[slug].url(), {"per_page": 100})
    assert response.status_code == 200
    listed = response.context["page"].paginator.object_list
    assert listed.filter(pk=inside.pk).exists()
    assert not listed.filter(pk=outside.pk).exists()
    assert response.context["page"].paginator.count == visible(REGISTRY[slug].queryset(), county_world.user).count()


@pytest.mark.parametrize("slug", SCOPED)
def test_keyword_search_finds_inside_never_outside(slug: str, county_world: World, county_client: Any) -> None:
    inside, outside = _pair(slug, county_world)
    term_in, term_out = _term(slug, inside), _term(slug, outside)
    if not term_in:
        pytest.skip(f"{slug} has no keyword search")
    found = county_client.get(REGISTRY[slug].url(), {"q": term_in}).context["page"].paginator.object_list
    assert found.filter(pk=inside.pk).exists()
    hidden = county_client.get(REGISTRY[slug].url(), {"q": term_out}).context["page"].paginator.object_list
    assert not hidden.filter(pk=outside.pk).exists()


@pytest.mark.parametrize("slug", SCOPED)
def test_ui_detail_edit_delete_outside_county_are_not_found(slug: str, county_world: World, county_client: Any) -> None:
    inside, outside = _pair(slug, county_world)
    otype = REGISTRY[slug]
    assert county_client.get(otype.url("detail", inside)).status_code == 200
    assert county_client.get(otype.url("detail", outside)).status_code == 404
    if otype.editable:
        assert county_client.get(reverse_edit(otype, outside)).status_code in (403, 404)
        assert county_client.post(reverse_delete(otype, outside)).status_code in (403, 404)
        assert type(outside)._default_manager.filter(pk=outside.pk).exists()


def reverse_edit(otype: Any, obj: Any) -> str:
    return otype.url("edit", obj)


def reverse_delete(otype: Any, obj: Any) -> str:
    return otype.url("delete", obj)


@pytest.mark.parametrize("slug", [s for s in SCOPED if REGISTRY[s].export])
def test_export_contains_only_own_county(slug: str, county_world: World, county_client: Any) -> None:
    inside, outside = _pair(slug, county_world)
    otype = REGISTRY[slug]
    for obj, expected_min in ((inside, 1), (outside, 0)):
        term = _term(slug, obj)
        params = {"export": "xlsx", **({"q": term} if term else {})}
        response = county_client.get(otype.url(), params)
        assert response.status_code == 200
        ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        qs = visible(otype.queryset(), county_world.user)
        if term:
            qs = otype.filterset({"q": term}, queryset=qs).qs
        assert ws.max_row - 1 == qs.count() >= expected_min
        assert not qs.filter(pk=outside.pk).exists()


def test_search_does_not_reveal_subjects_outside_county(inspector: Any, inspector_client: Any) -> None:
    _, outside = _split("subjects", inspector)
    target = outside[0]
    for term in (target.name, target.uscc):
        response = inspector_client.get(REGISTRY["subjects"].url(), {"q": term})
        assert response.context["page"].paginator.count == 0
        response = inspector_client.get(REGISTRY["records"].url(), {"q": term})
        assert response.context["page"].paginator.count == 0


@pytest.fixture
def county_api(inspector: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=inspector)[0].key}")
    return client


@pytest.mark.parametrize("slug", SCOPED)
def test_api_list_and_detail_respect_scope(slug: str, county: Any, county_world: World) -> None:
    inside, outside = _pair(slug, county_world)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=county)[0].key}")
    response = api.get(f"/api/v1/{slug}/", {"page_size": 1})
    assert response.status_code == 200
    assert response.json()["count"] == visible(REGISTRY[slug].queryset(), county).count()
    assert api.get(f"/api/v1/{slug}/{inside.pk}/").status_code == 200
    missing = api.get(f"/api/v1/{slug}/{outside.pk}/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_api_search_respects_scope(inspector: Any, county_api: APIClient) -> None:
    _, outside = _split("subjects", inspector)
    assert county_api.get("/api/v1/subjects/", {"q": outside[0].uscc}).json()["count"] == 0


def test_service_refuses_writing_a_subject_into_another_county(inspector: Any) -> None:
    _, outside = _split("subjects", inspector)
    assert not allows_object(inspector, outside[0])
    assert visible(REGISTRY["subjects"].queryset(), inspector).filter(pk=outside[0].pk).count() == 0


def test_granted_region_widens_scope(inspector: Any) -> None:
    from regwatch.core.models import Region

    _, outside = _split("subjects", inspector)
    before = visible(REGISTRY["subjects"].queryset(), inspector).count()
    inspector.extra_regions.add(Region.objects.get(code=outside[0].region.code[:6]))
    after = visible(REGISTRY["subjects"].queryset(), inspector).count()
    assert after > before
    assert visible(REGISTRY["subjects"].queryset(), inspector).filter(pk=outside[0].pk).exists()


def test_anonymous_sees_nothing(world: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible(REGISTRY["subjects"].queryset(), AnonymousUser()).count() == 0
    assert visible(REGISTRY["regions"].queryset(), AnonymousUser()).count() == 0
