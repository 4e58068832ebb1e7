from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from regwatch.subjects.models import Subject


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def test_anonymous_requests_are_refused_with_a_problem_document(world: None) -> None:
    body = assert_problem(APIClient().get("/api/v1/subjects/"), 401)
    assert body["title"] == "未登录或认证失败"


def test_a_bad_token_is_refused(world: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_problem(client.get("/api/v1/subjects/"), 401)


def test_api_client_reads_subjects_with_filters_shared_with_the_ui(api_client_user: Any) -> None:
    client = token_client(api_client_user)
    response = client.get("/api/v1/subjects/", {"status": "abnormal", "page_size": 500})
    assert response.status_code == 200
    expected = Subject.objects.filter(status="abnormal", region__path__startswith="/330000/330100/").count()
    assert response.json()["count"] == expected > 0
    assert all(row["status"] == "abnormal" for row in response.json()["results"])


def test_api_client_cannot_write(api_client_user: Any) -> None:
    subject = Subject.objects.first()
    assert subject is not None
    body = assert_problem(token_client(api_client_user).patch(f"/api/v1/subjects/{subject.pk}/", {"name": "x"}, format="json"), 403)
    assert body["detail"]
    Subject.objects.get(pk=subject.pk, name=subject.name)


def test_invalid_uscc_is_a_problem_document_naming_the_field(data_admin: Any) -> None:
    subject = Subject.objects.first()
    assert subject is not None
    body = assert_problem(
        token_client(data_admin).post(
            "/api/v1/subjects/",
            {
                "kind": subject.kind_id,
                "uscc": "91350100M000100Y44",
                "name": "新企业",
                "region": subject.region_id,
            },
            format="json",
        ),
        400,
    )
    assert "校验码错误" in body["errors"]["uscc"][0]


def test_valid_create_is_audited_and_scoped(data_admin: Any, inspector: Any) -> None:
    from regwatch.audit.models import AuditEvent
    from regwatch.core.identifiers import uscc_check_char

    subject = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    code17 = "91330106MA2H00001"
    payload = {
        "kind": subject.kind_id,
        "uscc": code17 + uscc_check_char(code17),
        "name": "接口新增企业有限公司",
        "region": subject.region_id,
    }
    response = token_client(data_admin).post("/api/v1/subjects/", payload, format="json")
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(object_type="subjects.subject", action="create", object_id=str(response.json()["id"]))
    assert event.actor == data_admin
    # an inspector of another county cannot see it
    assert token_client(inspector).get(f"/api/v1/subjects/{response.json()['id']}/").status_code == 404


def test_unknown_api_path_is_a_problem_document(world: None) -> None:
    assert_problem(APIClient().get("/api/v1/no-such-thing/"), 404)


def test_health_and_readiness(world: None) -> None:
    assert APIClient().get("/healthz").json() == {"status": "ok"}
    ready = APIClient().get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_openapi_schema_and_docs_are_served_offline(admin: Any) -> None:
    schema = token_client(admin).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/subjects/" in paths and "/api/v1/records/{id}/" in paths
    browser = APIClient()
    browser.force_login(admin)
    docs = browser.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


@pytest.mark.parametrize("param", ["page=abc", "page_size=-1", "occurred_on_after=not-a-date", "region=999999999", "sort=;drop"])
def test_bad_query_parameters_never_cause_server_errors(param: str, admin: Any) -> None:
    client = token_client(admin)
    for slug in ("subjects", "records"):
        assert client.get(f"/api/v1/{slug}/?{param}").status_code < 500
