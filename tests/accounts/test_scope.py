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

SCOPED = [slug for slug, o in REGISTRY.items() if is_scoped(o.model)]
# Reference data shared by every region.  A new business model must declare
# scope_region_field or be added here deliberately.
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
    # intake: sources/mappings are configuration; batches and quarantined rows are not yet attached
    # to a subject (so carry no region) and are visible to data administrators only.
    "intake-sources",
    "intake-mappings",
    "intake-batches",
    "intake-quarantine",
    "quality-rules",
    "quality-measurements",
    "catalog-datasets",
    "catalog-fields",
    "warning-rules",
    "workflows",
    # scoring: the indicator library, grade schemes, model versions and runs are configuration;
    # per-subject results (scores, grades, overrides) are served through visible() by scoring's pages.
    "indicators",
    "grade-schemes",
    "model-versions",
    "scoring-runs",
}


def test_every_registered_type_is_scoped_or_declared_reference_data() -> None:
    assert set(REGISTRY) - set(SCOPED) == UNSCOPED_REFERENCE
    assert {"subjects", "records", "subject-tags"} <= set(SCOPED)


def _split(slug: str, user: Any) -> tuple[list[Any], list[Any]]:
    qs = REGISTRY[slug].queryset()
    prefix = user.organization.region.path
    inside = [o for o in qs if region_of(o).path.startswith(prefix)]
    outside = [o for o in qs if not region_of(o).path.startswith(prefix)]
    assert inside and outside, f"world must have {slug} both inside and outside {prefix}"
    return inside, outside


@pytest.mark.parametrize("slug", SCOPED)
def test_ui_list_shows_only_own_county(slug: str, inspector: Any, inspector_client: Any) -> None:
    inside, _ = _split(slug, inspector)
    response = inspector_client.get(REGISTRY[slug].url(), {"per_page": 100})
    assert response.status_code == 200
    listed = list(response.context["page"].paginator.object_list)
    assert len(listed) == len(inside)
    assert all(region_of(o).path.startswith(inspector.organization.region.path) for o in listed)


@pytest.mark.parametrize("slug", SCOPED)
def test_ui_detail_edit_delete_outside_county_are_not_found(slug: str, inspector: Any, inspector_client: Any) -> None:
    inside, outside = _split(slug, inspector)
    otype = REGISTRY[slug]
    assert inspector_client.get(otype.url("detail", inside[0])).status_code == 200
    assert inspector_client.get(otype.url("detail", outside[0])).status_code == 404
    if otype.editable:
        assert inspector_client.get(reverse_edit(otype, outside[0])).status_code in (403, 404)
        assert inspector_client.post(reverse_delete(otype, outside[0])).status_code in (403, 404)
        assert type(outside[0])._default_manager.filter(pk=outside[0].pk).exists()


def reverse_edit(otype: Any, obj: Any) -> str:
    return otype.url("edit", obj)


def reverse_delete(otype: Any, obj: Any) -> str:
    return otype.url("delete", obj)


@pytest.mark.parametrize("slug", [s for s in SCOPED if REGISTRY[s].export])
def test_export_contains_only_own_county(slug: str, inspector: Any, inspector_client: Any) -> None:
    inside, _ = _split(slug, inspector)
    response = inspector_client.get(REGISTRY[slug].url(), {"export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws.max_row - 1 == len(inside)


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
def test_api_list_and_detail_respect_scope(slug: str, inspector: Any, county_api: APIClient) -> None:
    inside, outside = _split(slug, inspector)
    response = county_api.get(f"/api/v1/{slug}/", {"page_size": 1000})
    assert response.status_code == 200
    assert response.json()["count"] == len(inside)
    assert {row["id"] for row in response.json()["results"]} == {o.pk for o in inside}
    assert county_api.get(f"/api/v1/{slug}/{inside[0].pk}/").status_code == 200
    missing = county_api.get(f"/api/v1/{slug}/{outside[0].pk}/")
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
