"""No raw values in front of a user: every page of a populated database, read as visible text.

The world (``tests/conftest.py``) holds two graded packs; a work order is driven through
dispatch, transfer, feedback with a file and closure so its timeline, history, case file and
messages have content.  A superuser with the whole country in scope renders every registered
list and detail page, the subject, run, version, warning, rule and work-order pages, the case
file, the statistics pages and the message pages, and each page's visible text is searched for
Python reprs, codes that have a label, bare ids after a label and formula source
(``tests/rawtext.py``).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from regwatch.web.registry import REGISTRY
from tests.cases import handled_order
from tests.rawtext import find_raw, find_raw_html, labelled_codes, visible_text

SLUGS = sorted(REGISTRY)
# Pages where a login name is the thing shown (the account list, who did what in the audit trail).
USERNAME_PAGES = ("/users/", "/audit-events/", "/access-events/")


# -- the detector itself: each pattern is caught, legitimate text is not --------------------------


CODES = {"pending_sign": "待签收", "business_admin": "业务管理员", "event:record": "事件", "duckdb": "duckdb", "food_credit": "食品"}


@pytest.mark.parametrize(
    "html",
    [
        "<td>{'a': 1}</td>",
        "<td>[{&#x27;a&#x27;: 1}]</td>",
        "<p>结果：None</p>",
        "<dd>True</dd>",
        "<span>是否启用 False</span>",
        "<td>pending_sign</td>",
        "<td>角色 business_admin</td>",
        "<li>任务 event:record</li>",
        "<td>引擎 duckdb</td>",
        "<option>food_credit</option>",
        "<p>转至单位 20</p>",
        "<p>单位：12。</p>",
        "<td>单位 #34</td>",
        "<td>用户：7</td>",
        "<code>least(value * 2.5, 60)</code>",
        "<td>greatest(0, x)</td>",
        "<td>system:pack-load:food_credit</td>",
        "<td>value * 3</td>",
        "<td>字段 occurred_on</td>",  # snake_case nobody labelled is still a field name
    ],
)
def test_detector_catches_each_pattern(html: str) -> None:
    assert find_raw(visible_text(html), CODES), html


@pytest.mark.parametrize(
    "html",
    [
        '<a href="/orgs/20/" title="None" data-x="{\'a\': 1}">杭州市西湖区市场监督管理局</a>',
        "<script>var x = {'a': true, b: None}; least(1, 2)</script><style>.pending_sign{}</style>",
        "<td>91330106MA2B3C4D5E</td><td>food_credit_2026.csv</td><td>report/pending_sign.xlsx</td>",
        "<p>共 300 条，第 2 页</p><p>单位 20 家</p><td>v3</td>",
        '<input value="pending_sign"><textarea>{"a": 1}</textarea>',
        "<td>转至单位 杭州市西湖区市场监督管理局</td><td>是</td><td>45.0%</td>",
        "<td>inspector</td>",
        '<td><span translate="no">pending_sign</span></td><td>批次 #3</td>',
    ],
)
def test_detector_passes_legitimate_text(html: str) -> None:
    assert find_raw_html(html, {**CODES, "report": "报表"}, allowed={"inspector"}) == [], html


def test_visible_text_keeps_dropdown_options_and_drops_attributes() -> None:
    text = visible_text('<select name="record_type"><option value="inspection">日常检查</option></select><img alt="x">')
    assert "日常检查" in text and "inspection" not in text and "record_type" not in text


# -- the pages --------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def root(world: None) -> Any:
    from regwatch.accounts.models import User

    return User.objects.get_or_create(username="root", defaults={"is_superuser": True, "scope_all": True, "display_name": "系统总管"})[0]


@pytest.fixture
def root_client(root: Any) -> Client:
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def handled(world: None, media: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):  # notifications go out after commit
        return handled_order()


@pytest.fixture(scope="module")
def codes(django_db_setup: None, django_db_blocker: Any) -> dict[str, str]:
    with django_db_blocker.unblock():
        return labelled_codes()


def _check(client: Client, url: str, codes: dict[str, str], allowed: set[str]) -> list[str]:
    response = client.get(url, follow=True)
    if response.status_code != 200:
        return [f"{url}: HTTP {response.status_code}"]
    ok = allowed if url.startswith(USERNAME_PAGES) else set()
    return [f"{url}: {f}" for f in find_raw_html(response.content.decode(), codes, ok)]


def _usernames() -> set[str]:
    from regwatch.accounts.models import User

    return set(User.objects.values_list("username", flat=True))


def _report(problems: list[str]) -> str:
    return "raw values shown:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("slug", SLUGS)
def test_registered_pages_show_no_raw_values(slug: str, handled: Any, root_client: Client, codes: dict[str, str], inspector: Any) -> None:
    from regwatch.accounts.scope import visible

    otype = REGISTRY[slug]
    client = root_client
    if otype.model._meta.model_name == "message":  # an inbox is its owner's only
        client = Client()
        client.force_login(inspector)
    qs = visible(otype.queryset(), inspector if client is not root_client else _root()).order_by("pk")
    objs = list(qs[:2]) + list(qs.order_by("-pk")[:2])
    urls = [otype.url(), *dict.fromkeys(otype.url("detail", o) for o in objs)]
    problems = [p for url in urls for p in _check(client, url, codes, _usernames())]
    assert not problems, _report(problems)


def _root() -> Any:
    from regwatch.accounts.models import User

    return User.objects.get(username="root")


@pytest.mark.parametrize("slug", [s for s in SLUGS if REGISTRY[s].export])
def test_exports_show_no_raw_values(slug: str, handled: Any, root_client: Client, codes: dict[str, str]) -> None:
    response = root_client.get(REGISTRY[slug].url(), {"export": "xlsx"})
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/vnd"):
        pytest.skip("no export for this list")
    otype = REGISTRY[slug]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    allowed = _usernames() if otype.url().startswith(USERNAME_PAGES) else set()
    # A code in its own column (编码) is the identifier itself, as on the page.
    words = [not _identifier(otype.model, c.name) for c in otype.columns]
    problems = [
        f"{slug}.xlsx: {f}"
        for row in sheet.iter_rows(min_row=2, max_row=200, values_only=True)
        for cell, check in zip(row, words, strict=False)
        if isinstance(cell, str)
        for f in find_raw(cell, codes if check else (), allowed)
    ]
    assert not problems, _report(problems)


def _identifier(model: Any, path: str) -> bool:
    from regwatch.web.registry import is_identifier

    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return is_identifier(model, parts[-1])


def _domain_urls(order: Any) -> list[str]:
    from regwatch.indicators.models import Indicator
    from regwatch.scoring.models import CurrentGrade, ModelVersion, ScoringRun
    from regwatch.warnings.models import Warning, WarningRule
    from regwatch.workorders.models import Clue, Ledger, WorkflowDefinition

    urls = [
        "/",
        f"/subjects/{order.subject_id}/",
        f"/scoring/subjects/{order.subject_id}/grade/",
        "/scoring/distribution/",
        "/scoring/overrides/",
        "/workorders/",
        "/workorders/?tab=org",
        "/workorders/?tab=all",
        f"/workorders/{order.pk}/",
        f"/work-orders/{order.pk}/",
        f"/workorders/{order.pk}/print/",
        "/workorders/stats/",
        "/workorders/clues/",
        "/workorders/ledgers/",
        "/quality/report/",
        "/intake/upload/",
        "/intake/reviews/",
        "/notifications/outbox/",
        f"/warnings/{order.warning_id}/",
    ]
    # The highest and lowest graded subject of each scheme: the richest explanation pages.
    for scheme_id in CurrentGrade.objects.values_list("scheme", flat=True).distinct():
        for order_by in ("score", "-score"):
            grade = CurrentGrade.objects.filter(scheme=scheme_id).order_by(order_by).first()
            if grade is not None:
                urls += [f"/subjects/{grade.subject_id}/", f"/scoring/subjects/{grade.subject_id}/grade/?scheme={scheme_id}"]
    for run in ScoringRun.objects.order_by("-pk")[:3]:
        urls.append(f"/scoring-runs/{run.pk}/")
    versions = list(ModelVersion.objects.order_by("model", "pk"))
    urls += [f"/model-versions/{v.pk}/" for v in versions]
    by_model: dict[int, list[Any]] = {}
    for v in versions:
        by_model.setdefault(v.model_id, []).append(v)
    urls += [f"/scoring/compare/{vs[0].pk}/{vs[-1].pk}/" for vs in by_model.values() if len(vs) > 1]
    urls += [f"/warning-rules/{r.pk}/" for r in WarningRule.objects.order_by("pk")]
    urls += [f"/warnings/{w.pk}/" for w in Warning.objects.order_by("-pk")[:3]]
    urls += [f"/indicators/{i.pk}/" for i in Indicator.objects.order_by("pk")]
    urls += [f"/workflows/{w.pk}/" for w in WorkflowDefinition.objects.filter(is_current=True)]
    urls += [f"/clues/{c.pk}/" for c in Clue.objects.order_by("-pk")[:2]]
    urls += [f"/workorders/ledgers/{ledger.pk}/" for ledger in Ledger.objects.order_by("-pk")[:2]]
    return list(dict.fromkeys(urls))


def test_domain_pages_show_no_raw_values(handled: Any, root_client: Client, codes: dict[str, str]) -> None:
    names = _usernames()
    problems = [p for url in _domain_urls(handled) for p in _check(root_client, url, codes, names)]
    assert not problems, _report(problems)


def test_message_pages_show_no_raw_values(handled: Any, codes: dict[str, str]) -> None:
    from regwatch.accounts.models import User
    from regwatch.notifications.models import Message

    problems: list[str] = []
    for user in User.objects.filter(pk__in=Message.objects.values("recipient")):
        client = Client()
        client.force_login(user)
        urls = ["/notifications/", *(f"/notifications/{m.pk}/" for m in Message.objects.filter(recipient=user).order_by("-pk")[:3])]
        for url in urls:
            response = client.get(url, follow=True)
            problems += [f"{url} ({user.username}): {f}" for f in find_raw_html(response.content.decode(), codes)]
        for m in Message.objects.filter(recipient=user):
            problems += [f"message {m.pk} text: {f}" for f in find_raw(f"{m.title}\n{getattr(m, 'body', '')}", codes)]
    assert Message.objects.exists()
    assert not problems, _report(problems)
