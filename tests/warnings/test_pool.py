"""The alert pool: lifecycle, review, snooze, merge, precision, concurrency, screens and API."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.subjects.models import Subject
from regwatch.warnings import services
from regwatch.warnings.firing import fire
from regwatch.warnings.models import Warning, WarningRule


def _inside(user: Any) -> Subject:
    return Subject.objects.filter(region__path__startswith=user.organization.region.path).select_related("kind", "region").first()  # type: ignore[return-value]


@pytest.fixture
def business_admin(world: None) -> Any:
    return User.objects.get(username="business_admin")


def test_review_dismiss_needs_reason_and_feeds_precision(world: None, inspector: Any) -> None:
    s = _inside(inspector)
    rule = WarningRule.objects.get(code="failed_inspection")
    w1 = fire(s, rule=rule)
    with pytest.raises(ValidationError, match="排除预警必须填写原因"):
        services.review(inspector, w1, "dismiss")
    services.review(inspector, w1, "dismiss", "复查合格")
    w1.refresh_from_db()
    assert w1.status == "dismissed" and w1.outcome == "false_alarm"
    w2 = fire(s, rule=rule)
    services.review(inspector, w2, "confirm", "属实")
    services.close(w2, "confirmed_risk")
    w3 = fire(Subject.objects.exclude(pk=s.pk).filter(region=s.region).first() or s, rule=rule)
    assert w3 is not None
    precision, tp, fp = rule.precision()
    assert (tp, fp) == (1, 1) and precision == 0.5


def test_snooze_and_merge(world: None, inspector: Any) -> None:
    s = _inside(inspector)
    a = fire(s, rule=WarningRule.objects.get(code="new_penalty"))
    b = fire(s, rule=WarningRule.objects.get(code="serious_violation_list"), context={"list": "严重违法失信名单"})
    with pytest.raises(ValidationError):
        services.snooze(inspector, a, timezone.now() + dt.timedelta(days=3), "")
    services.snooze(inspector, a, timezone.now() + dt.timedelta(days=3), "等待复查")
    assert Warning.objects.get(pk=a.pk).snoozed
    services.merge(inspector, a, [b])
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a and a.level == "red" and a.hit_count == 2


def test_scope_refuses_review_outside_county(world: None, inspector: Any) -> None:
    from django.core.exceptions import PermissionDenied

    outside = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).select_related("kind").first()
    w = fire(outside, rule=WarningRule.objects.get(code="new_penalty"))
    with pytest.raises(PermissionDenied):
        services.review(inspector, w, "confirm")


@pytest.mark.django_db(transaction=True)
def test_concurrent_firing_yields_one_open_warning() -> None:
    """Eight threads (own connections) fire the same rule for one subject at once, on PostgreSQL
    and on the file-backed SQLite test database."""
    if "memory" in str(connection.settings_dict["TEST"].get("NAME") or connection.settings_dict["NAME"]):
        pytest.skip("an in-memory SQLite database is shared by all threads; concurrency needs a file or PostgreSQL")
    from tests.conftest import build_world

    build_world()
    s = Subject.objects.select_related("kind").first()
    rule = WarningRule.objects.get(code="new_penalty")
    barrier = threading.Barrier(8)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(fire(s, rule=rule))
        except BaseException as exc:  # noqa: BLE001  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r is not None for r in results) == 1
    w = Warning.objects.get(subject=s, rule_key="new_penalty")
    assert w.hit_count == 8


def test_pool_screen_filters_and_bulk_review(world: None, inspector: Any, inspector_client: Any) -> None:
    s = _inside(inspector)
    ws = [fire(s, rule=WarningRule.objects.get(code=c)) for c in ("new_penalty", "failed_inspection")]
    outside = Subject.objects.exclude(region__path__startswith=inspector.organization.region.path).select_related("kind").first()
    hidden = fire(outside, rule=WarningRule.objects.get(code="new_penalty"))
    page = inspector_client.get("/warnings/")
    body = page.content.decode()
    assert page.status_code == 200 and ws[0].title in body and hidden.title not in body
    assert inspector_client.get("/warnings/", {"level": "orange"}).context["page"].paginator.count == 1
    r = inspector_client.post("/warnings/bulk/", {"ids": [w.pk for w in ws], "decision": "confirm", "reason": "批量确认"})
    assert r.status_code == 302
    assert set(Warning.objects.filter(pk__in=[w.pk for w in ws]).values_list("status", flat=True)) == {"confirmed"}
    detail = inspector_client.get(f"/warnings/{ws[0].pk}/")
    assert detail.status_code == 200 and "生成工单" not in detail.content.decode()  # inspectors do not dispatch
    assert inspector_client.get(f"/warnings/{hidden.pk}/").status_code == 404


def test_rule_page_shows_precision(world: None, overseer_client: Any) -> None:
    rule = WarningRule.objects.get(code="new_penalty")
    body = overseer_client.get(f"/warning-rules/{rule.pk}/").content.decode()
    assert "精确率" in body


def test_api_pool_review_and_external_push(world: None, business_admin: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(business_admin)
    s = _inside(business_admin)
    payload = {
        "subject": s.pk,
        "source": "12315",
        "alert_type": "hot_complaint",
        "level": "yellow",
        "title": "舆情热点",
        "message": "网络舆情集中",
    }
    first = client.post("/api/v1/warnings/external/", payload, format="json")
    assert first.status_code == 201 and first.json()["created"] is True
    again = client.post("/api/v1/warnings/external/", payload, format="json")
    assert again.status_code == 200 and again.json()["warning"]["hit_count"] == 2
    wid = first.json()["warning"]["id"]
    assert client.get("/api/v1/warnings/pool/").json()["count"] >= 1
    bad = client.post(f"/api/v1/warnings/pool/{wid}/review/", {"decision": "dismiss"}, format="json")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    ok = client.post(f"/api/v1/warnings/pool/{wid}/review/", {"decision": "dismiss", "reason": "重复推送"}, format="json")
    assert ok.status_code == 200 and ok.json()["outcome"] == "false_alarm"
