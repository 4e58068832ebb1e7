"""The generic UI path, exercised on every registered object type."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from regwatch.subjects.models import Record, Subject
from regwatch.web.registry import REGISTRY

SLUGS = sorted(REGISTRY)


@pytest.fixture
def superuser_client(world: None) -> Client:
    from regwatch.accounts.models import User

    user, _ = User.objects.get_or_create(username="root", defaults={"is_superuser": True, "scope_all": True})
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(world: None) -> None:
    response = Client().get("/subjects/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_is_chinese_and_wrong_password_is_explained(world: None) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert "账号登录" in page.content.decode()
    token = page.cookies["csrftoken"].value
    response = client.post("/login/", {"username": "admin", "password": "wrong", "csrfmiddlewaretoken": token})
    assert "用户名或密码错误" in response.content.decode()


def test_posting_without_csrf_token_is_refused(data_admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(data_admin)
    assert client.post("/tags/add/", {"code": "x", "name": "x"}).status_code == 403


@pytest.fixture
def built(inspector: Any, admin: Any) -> Any:
    from tests.builders import build, make_world

    world = make_world(inspector, admin)
    return lambda slug: build(REGISTRY[slug].model, world)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_list_and_detail_renders_with_bounded_queries(
    slug: str, built: Any, superuser_client: Client, django_assert_max_num_queries: Any
) -> None:
    otype = REGISTRY[slug]
    inside, _ = built(slug)
    # The query count must not grow with the rows shown (no N+1): 100 rows, a fixed budget
    # (one of them reads the columns the user chose to show, one the two-factor device of the session).
    with django_assert_max_num_queries(17):
        response = superuser_client.get(otype.url(), {"per_page": 100})
    assert response.status_code == 200
    if otype.model._meta.model_name != "message":  # an inbox is its owner's only, superusers included
        assert superuser_client.get(otype.url("detail", inside)).status_code == 200
    if otype.editable:
        assert superuser_client.get(otype.url("add")).status_code == 200


@pytest.mark.parametrize("slug", SLUGS)
def test_lists_and_details_show_no_raw_booleans_or_empty_values(slug: str, built: Any, admin: Any, inspector: Any) -> None:
    from tests.conftest import login

    otype = REGISTRY[slug]
    inside, _ = built(slug)
    client = login(inspector if otype.model._meta.model_name == "message" else admin)
    client.force_login(inspector if otype.model._meta.model_name == "message" else _root())
    for url in (otype.url(), otype.url("detail", inside)):
        body = client.get(url).content.decode()
        for raw in (">True<", ">False<", ">None<"):
            assert raw not in body, f"{url} shows {raw}"


def _root() -> Any:
    from regwatch.accounts.models import User

    return User.objects.get_or_create(username="root", defaults={"is_superuser": True, "scope_all": True})[0]


@pytest.mark.parametrize("slug", [s for s in SLUGS if not REGISTRY[s].editable])
def test_read_only_types_cannot_be_added_changed_or_deleted(slug: str, built: Any, superuser_client: Client) -> None:
    from rest_framework.test import APIClient

    otype = REGISTRY[slug]
    inside, _ = built(slug)
    assert superuser_client.get(f"/{slug}/add/").status_code in (404, 405)
    superuser_client.post(f"/{slug}/{inside.pk}/delete/")
    assert type(inside)._default_manager.filter(pk=inside.pk).exists()
    assert superuser_client.get(otype.url()).context["can_add"] is False
    api = APIClient()
    api.force_authenticate(_root())
    assert api.post(f"/api/v1/{slug}/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/{slug}/{inside.pk}/").status_code in (404, 405)


def test_subject_list_paginates_sorts_and_filters(superuser_client: Client) -> None:
    total = Subject.objects.count()
    page = superuser_client.get("/subjects/", {"per_page": 25})
    assert page.context["page"].paginator.count == total
    assert len(page.context["rows"]) == 25
    assert f"共 {total} 条" in page.content.decode()
    by_name = superuser_client.get("/subjects/", {"sort": "-name", "per_page": 100})
    names = [obj.name for obj, _ in by_name.context["rows"]]
    assert names == sorted(names, reverse=True)
    revoked = superuser_client.get("/subjects/", {"status": "abnormal"})
    assert revoked.context["page"].paginator.count == Subject.objects.filter(status="abnormal").count() > 0


def test_region_filter_matches_the_whole_subtree(superuser_client: Client) -> None:
    from regwatch.core.models import Region

    city = Region.objects.get(code="330200")
    response = superuser_client.get("/subjects/", {"region": city.pk})
    assert response.context["page"].paginator.count == Subject.objects.filter(region__path__startswith=city.path).count() > 0


def test_search_by_uscc_licence_and_name(superuser_client: Client) -> None:
    subject = Subject.objects.order_by("pk")[5]
    licence = subject.identifiers.get(scheme="food_licence").value
    for term in (subject.uscc, licence, subject.name[2:6]):
        listed = [obj.pk for obj, _ in superuser_client.get("/subjects/", {"q": term}).context["rows"]]
        assert subject.pk in listed


def test_htmx_requests_get_only_the_table(superuser_client: Client) -> None:
    response = superuser_client.get("/subjects/", {"q": "杭州"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    body = response.content.decode()
    assert 'id="object-list"' in body and "<html" not in body


def test_excel_export_has_header_and_every_filtered_row(superuser_client: Client) -> None:
    response = superuser_client.get("/records/", {"export": "xlsx", "record_type": Record.objects.first().record_type_id})  # type: ignore[union-attr]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("主体", "记录类型", "发生日期")
    assert len(rows) - 1 == Record.objects.filter(record_type=Record.objects.first().record_type).count()  # type: ignore[union-attr]


def test_subject_profile_shows_identifiers_tags_and_timeline(superuser_client: Client) -> None:
    subject = Subject.objects.filter(tags__isnull=False).first()
    assert subject is not None
    body = superuser_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert subject.uscc in body
    assert subject.identifiers.get().value in body
    assert subject.tags.first().tag.name in body  # type: ignore[union-attr]
    assert "监管记录时间轴" in body
    newest = subject.records.order_by("-occurred_on").first()
    assert newest is not None and newest.summary in body
    assert f"{newest.occurred_on.year} 年" in body


def test_invalid_uscc_is_refused_with_a_chinese_reason(data_admin_client: Client) -> None:
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    bad = subject.uscc[:-1] + ("0" if subject.uscc[-1] != "0" else "1")  # type: ignore[index]
    response = data_admin_client.post(
        "/subjects/add/",
        {
            "kind": subject.kind_id,
            "uscc": bad,
            "name": "测试食品有限公司",
            "region": subject.region_id,
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert "校验码错误" in response.content.decode()
    assert not Subject.objects.filter(name="测试食品有限公司").exists()


def test_inspector_cannot_create_a_subject_but_can_add_a_record_in_county(inspector: Any, inspector_client: Client) -> None:
    assert inspector_client.get("/subjects/add/").status_code == 403
    subject = Subject.objects.filter(region__path__startswith=inspector.organization.region.path).first()
    assert subject is not None
    rtype = Record.objects.first().record_type  # type: ignore[union-attr]
    response = inspector_client.post(
        "/records/add/",
        {
            "subject": subject.uscc,
            "record_type": rtype.pk,
            "occurred_on": "2026-10-01",
            "source": "manual",
            "summary": "现场检查",
            "data": "{}",
        },
    )
    assert response.status_code == 302
    assert subject.records.filter(summary="现场检查").exists()


def test_record_for_a_subject_outside_the_county_is_refused(inspector: Any, inspector_client: Client) -> None:
    other = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).first()
    assert other is not None
    rtype = Record.objects.first().record_type  # type: ignore[union-attr]
    response = inspector_client.post(
        "/records/add/",
        {
            "subject": other.uscc,
            "record_type": rtype.pk,
            "occurred_on": "2026-10-01",
            "source": "manual",
            "summary": "越权",
            "data": "{}",
        },
    )
    assert response.status_code == 400
    assert "不在您的数据范围内" in response.content.decode()
    assert not other.records.filter(summary="越权").exists()


def test_navigation_and_scope_are_shown(inspector_client: Client) -> None:
    body = inspector_client.get("/").content.decode()
    assert "数据范围：浙江省杭州市西湖区" in body
    assert "监管主体" in body
    assert "审计事件" not in body  # no audit permission, no menu entry


def test_secure_headers(superuser_client: Client) -> None:
    response = superuser_client.get("/subjects/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_pack_fields_are_shown_with_chinese_labels_and_code_names(superuser_client: Client) -> None:
    subject = Subject.objects.filter(attributes__business_format="catering").first()
    assert subject is not None
    body = superuser_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "经营业态" in body and "餐饮服务" in body and "business_format" not in body
    assert "食品经营（生产）许可证号" in body
    assert "餐饮" in body  # industry code shown with its GB/T 4754 name
    failed = Record.objects.filter(record_type__code="routine_inspection", data__result="fail").first()
    assert failed is not None
    body = superuser_client.get(f"/records/{failed.pk}/").content.decode()
    assert "检查结果" in body and "不符合" in body and '"result"' not in body


def test_export_neutralises_spreadsheet_formulas(superuser_client: Client) -> None:
    from regwatch.subjects.models import Tag

    Tag.objects.create(code="inject", name="=cmd|' /C calc'!A0", category="+1")
    response = superuser_client.get("/tags/", {"export": "xlsx", "q": "inject"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "inject")
    assert row[1] == "'=cmd|' /C calc'!A0" and row[2] == "'+1"
    assert ws.cell(row=2, column=2).data_type == "s"  # text, not a formula
