"""Issue 10, probe findings 5 and 6: existence oracles, small leaks and 500s from huge integers.

A test whose docstring says "Before:" failed on the code before the fix.  Four probes already held
at that commit and stay as regression tests: the UI record form (its subject field was already
scoped), the rule page counts (already scoped), the bulk review's ``next=`` (already checked; now
through the shared ``web.redirects.safe_next``) and ``/warnings/?rule=<23 digits>``.  The download
of attachments (finding 7) is in ``test_downloads.py``, the property test of finding 6 in
``test_numeric_params.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from regwatch.accounts.models import User
from regwatch.subjects.models import RecordType, Subject
from regwatch.warnings.firing import fire
from regwatch.warnings.models import Warning, WarningRule
from tests.conftest import login

HUGE = "12345678901234567890123"  # 23 digits: past bigint, the probe's value
NEUTRAL = "该统一社会信用代码无法使用，请联系上级管理员核实"


def _token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _inside(user: Any) -> Subject:
    return Subject.objects.filter(region__path__startswith=user.organization.region.path).exclude(uscc=None).order_by("pk").first()  # type: ignore[return-value]


def _outside(user: Any) -> Subject:
    return Subject.objects.exclude(region__path__startswith=user.organization.region.path).exclude(uscc=None).order_by("pk").first()  # type: ignore[return-value]


def _free_uscc() -> str:
    """A well-formed USCC no subject holds."""
    from regwatch.core.identifiers import uscc_check_char

    n = 0
    while True:
        first17 = f"91330106MA{n:07d}"
        code = first17 + uscc_check_char(first17)
        if not Subject.objects.filter(uscc=code).exists():
            return code
        n += 1


# ---- 5a. a record for a subject outside the scope reads exactly like one for a missing subject ----


def test_api_record_for_out_of_scope_subject_is_the_same_400_as_for_a_missing_one(inspector: Any) -> None:
    """Before: 403 "not in your data scope" for an existing subject elsewhere, 400 for a missing id."""
    client = _token_client(inspector)
    rtype = RecordType.objects.filter(pack=_inside(inspector).pack).order_by("pk").first()
    assert rtype is not None

    def post(subject_id: int) -> Any:
        body = {"subject": subject_id, "record_type": rtype.pk, "occurred_on": "2026-10-01", "source": "test", "summary": "探测"}
        return client.post("/api/v1/records/", body, format="json")

    missing_id = Subject.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    elsewhere, missing = post(_outside(inspector).pk), post(missing_id)
    assert elsewhere.status_code == missing.status_code == 400
    strip = lambda r, pk: str(r.json()["errors"]["subject"]).replace(str(pk), "#")  # noqa: E731
    assert strip(elsewhere, _outside(inspector).pk) == strip(missing, missing_id)
    assert post(_inside(inspector).pk).status_code == 201


def test_ui_record_for_out_of_scope_subject_is_the_same_field_error_as_for_a_missing_one(inspector: Any) -> None:
    client = login(inspector)
    rtype = RecordType.objects.filter(pack=_inside(inspector).pack).order_by("pk").first()
    assert rtype is not None

    def post(uscc: str) -> Any:
        body = {"subject": uscc, "record_type": rtype.pk, "occurred_on": "2026-10-01", "source": "test", "summary": "探测"}
        return client.post("/records/add/", body)

    elsewhere, missing = post(_outside(inspector).uscc or ""), post(_free_uscc())
    assert elsewhere.status_code == missing.status_code == 400
    assert elsewhere.context["form"].errors["subject"] == missing.context["form"].errors["subject"]
    assert "未找到" in missing.context["form"].errors["subject"][0]


# ---- 5b. a duplicate USCC held outside the scope is not announced as "already exists" ----


@pytest.fixture
def county_data_clerk(inspector: Any) -> User:
    """A county user who may add and edit subjects (the demo's subject editors see every region)."""
    for code in ("add_subject", "change_subject"):
        inspector.user_permissions.add(Permission.objects.get(codename=code, content_type__app_label="subjects"))
    return User.objects.get(pk=inspector.pk)


def _subject_form(user: Any, uscc: str) -> dict[str, Any]:
    template = _inside(user)
    return {
        "kind": template.kind_id,
        "uscc": uscc,
        "name": "探测主体",
        "region": template.region_id,
        "industry_code": template.industry_code,
        "address": "",
        "legal_representative": "",
        "status": template.status,
        "established_on": "",
    }


def test_ui_duplicate_uscc_outside_scope_reads_neutrally(county_data_clerk: Any) -> None:
    """Before: "具有 统一社会信用代码 的 监管主体 已存在" for a USCC held by a subject in another county."""
    client = login(county_data_clerk)
    elsewhere = client.post("/subjects/add/", _subject_form(county_data_clerk, _outside(county_data_clerk).uscc or ""))
    assert elsewhere.status_code == 400
    assert elsewhere.context["form"].errors["uscc"] == [NEUTRAL]
    assert "已存在" not in elsewhere.content.decode() and _outside(county_data_clerk).name not in elsewhere.content.decode()
    # A duplicate the user can see anyway keeps the plain message.
    here = client.post("/subjects/add/", _subject_form(county_data_clerk, _inside(county_data_clerk).uscc or ""))
    assert "已存在" in here.context["form"].errors["uscc"][0]
    # Editing an own subject to take the code of one elsewhere: the same neutral answer.
    own = _inside(county_data_clerk)
    edit = client.post(
        f"/subjects/{own.pk}/edit/", {**_subject_form(county_data_clerk, _outside(county_data_clerk).uscc or ""), "name": own.name}
    )
    assert edit.context["form"].errors["uscc"] == [NEUTRAL]


def test_api_duplicate_uscc_outside_scope_reads_neutrally(county_data_clerk: Any) -> None:
    """Before: 409 "已存在相同标识的数据" for a USCC held by a subject in another county."""
    client = _token_client(county_data_clerk)
    body = {k: v for k, v in _subject_form(county_data_clerk, "").items() if v != ""}
    elsewhere = client.post("/api/v1/subjects/", {**body, "uscc": _outside(county_data_clerk).uscc}, format="json")
    assert elsewhere.status_code == 400
    assert elsewhere.json()["errors"] == {"uscc": [NEUTRAL]}
    here = client.post("/api/v1/subjects/", {**body, "uscc": _inside(county_data_clerk).uscc}, format="json")
    assert here.status_code == 409


# ---- 5c. the warning-rule page counts only the warnings the user may see ----


def test_rule_page_counts_only_warnings_in_scope(inspector: Any, admin: Any) -> None:
    rule = WarningRule.objects.get(code="failed_inspection")
    fire(_outside(inspector), rule=rule, context={"occurred_on": "2026-11-01"})
    everywhere = Warning.objects.filter(rule=rule).count()
    seen = Warning.objects.filter(rule=rule, subject__region__path__startswith=inspector.organization.region.path).count()
    assert seen < everywhere
    page = login(inspector).get(f"/warning-rules/{rule.pk}/")
    assert page.status_code == 200
    assert page.context["total"] == seen
    assert page.context["open_count"] <= seen


# ---- 5d. no redirect to another site from any form's next= ----


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"])
def test_bulk_review_never_redirects_to_another_site(inspector: Any, target: str) -> None:
    client = login(inspector)
    w = fire(_inside(inspector), rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-10-31"})
    for ids in ([], [str(w.pk)]):
        response = client.post("/warnings/bulk/", {"ids": ids, "decision": "confirm", "reason": "探测", "next": target})
        assert response.status_code == 302
        assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))
        assert "evil.example" not in response["Location"]


def test_a_next_within_the_site_is_followed(inspector: Any) -> None:
    response = login(inspector).post("/warnings/bulk/", {"ids": [], "next": "/warnings/?status=new"})
    assert response["Location"] == "/warnings/?status=new"


# ---- 5e. the API schema and its documentation need a signed-in user or a token ----


def test_schema_and_docs_refuse_anonymous_callers(admin: Any) -> None:
    """Before: both answered 200 to anyone."""
    schema = APIClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 401
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")
    assert _token_client(admin).get("/api/schema/", {"format": "json"}).status_code == 200
    assert login(admin).get("/api/docs/").status_code == 200


# ---- 6. huge integers are refused, never a 500 ----


@pytest.mark.parametrize("url", [f"/records/?subject={HUGE}", f"/api/v1/records/?subject={HUGE}", f"/warnings/?rule={HUGE}"])
def test_a_23_digit_id_in_a_filter_is_refused_politely(overseer: Any, url: str) -> None:
    """Before: OverflowError (SQLite) from the 23-digit ?subject= filter, a 500."""
    if url.startswith("/api/"):
        response = _token_client(overseer).get(url)
        assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    else:
        response = login(overseer).get(url)
        assert response.status_code == 200
        assert response.context["filterset"].errors


@pytest.mark.parametrize("action", ["snooze", "suppress"])
@pytest.mark.parametrize("days", ["99999999999", HUGE, "-5", "0", "²", "3651"])
def test_huge_snooze_and_suppress_days_are_a_message_not_a_500(inspector: Any, action: str, days: str) -> None:
    """Before: ``days=99999999999`` overflowed timedelta, a 500."""
    business = User.objects.get(username="business_admin")
    w = fire(_inside(inspector), rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-10-31"})
    assert w is not None and w.is_open
    client = login(business)
    response = client.post(f"/warnings/{w.pk}/{action}/", {"days": days, "reason": "探测"}, follow=True)
    assert response.status_code == 200
    assert "天数应为 1 至 3650 之间的整数" in response.content.decode()
    w.refresh_from_db()
    assert w.snoozed_until is None or w.snoozed_until < dt.datetime.now(dt.UTC) + dt.timedelta(days=3651)
