"""Risk at a glance in the generic lists: grade and score columns on subjects, their filters and sort,
the region tree of the user's scope, page size, jump to a page and remembered columns."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from regwatch.accounts.models import ListPreference
from regwatch.accounts.scope import visible
from regwatch.core.models import Region
from regwatch.scoring.models import GradeScheme
from regwatch.scoring.read import current_grades
from regwatch.subjects.models import Subject, SubjectTag
from tests.conftest import login

FOOD = "food_credit_abcd"
ECO = "eco_watch_risk5"


def rows(body: str) -> list[str]:
    """The data rows of the list (not the "no data" row)."""
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return [r for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S) if "colspan" not in r]


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def headers(body: str) -> list[str]:
    head = body[body.index('id="object-list"') :]
    head = head[: head.index("</thead>")]
    return [re.sub(r"<[^>]+>|[↑↓]", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]


def option_labels(body: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, flags=re.S)
    assert select is not None, name
    return [re.sub(r"<[^>]+>", "", o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), flags=re.S)]


@pytest.fixture
def leader_client(leader: Any) -> Client:
    return login(leader)


def test_the_subject_list_shows_the_grade_in_its_colour_and_the_score(leader_client: Client) -> None:
    body = leader_client.get("/subjects/").content.decode()
    assert headers(body)[:3] == ["名称", "风险等级", "综合风险分"]
    # 成立日期 is offered but hidden until chosen, so the risk columns fit.
    assert "成立日期" not in headers(body) and 'name="columns" value="established_on">' in body
    scheme = GradeScheme.objects.get(code=FOOD)
    assert f"风险等级与综合风险分按「{scheme.name}」显示" in body
    d_colour = scheme.level("D")["color"]
    assert f'style="background-color: {d_colour}">D 高风险</span>' in leader_client.get(f"/subjects/?grade={FOOD}:D").content.decode()
    # Industries by name, in the column and in the filter.
    assert not any(re.match(r"[A-Z]\d", cells(r)[6]) for r in rows(body))
    industries = option_labels(body, "industry_code")
    assert "餐饮业" in industries and "\u3000正餐服务" in industries and not any(re.search(r"[A-Z]\d", o) for o in industries)


def test_filtering_by_grade_gives_exactly_the_subjects_in_that_grade_in_scope(leader: Any, leader_client: Client) -> None:
    mine = set(visible(Subject.objects.all(), leader).values_list("pk", flat=True))
    expected = {sid for sid, (level, _) in current_grades(mine, scheme=FOOD).items() if level == "D"}
    assert expected
    body = leader_client.get(f"/subjects/?grade={FOOD}:D&per_page=100").content.decode()
    assert f"共 {len(expected)} 条" in body
    shown = {int(pk) for pk in re.findall(r'href="/subjects/(\d+)/"', body[body.index('id="object-list"') :])}
    assert shown == expected
    assert all(cells(r)[1] == "D 高风险" for r in rows(body))


def test_sorting_by_score_puts_the_riskiest_first_in_bounded_queries(leader_client: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(25):
        body = leader_client.get("/subjects/?sort=-risk_score").content.decode()
    scores = [float(cells(r)[2]) for r in rows(body) if cells(r)[2]]
    assert len(scores) == 50 and scores == sorted(scores, reverse=True)
    ascending = leader_client.get(f"/subjects/?scheme={FOOD}&sort=risk_score").content.decode()
    low = [float(cells(r)[2]) for r in rows(ascending)]
    assert low == sorted(low) and low[0] < scores[-1]
    worst_first = leader_client.get("/subjects/?sort=-risk_rank").content.decode()
    assert cells(rows(worst_first)[0])[1] == "D 高风险"


def test_the_scheme_filter_shows_that_schemes_grades(leader: Any, leader_client: Client) -> None:
    eco = GradeScheme.objects.get(code=ECO)
    body = leader_client.get(f"/subjects/?scheme={ECO}&per_page=100").content.decode()
    assert f"按「{eco.name}」显示" in body
    labels = {cells(r)[1] for r in rows(body)}
    assert labels and labels <= {eco.level_label(lv["code"]) for lv in eco.levels}
    graded = current_grades(visible(Subject.objects.all(), leader).values_list("pk", flat=True), scheme=ECO)
    assert f"共 {len(graded)} 条" in body


def test_the_api_filters_by_grade_too(leader: Any) -> None:
    client = login(leader)
    response = client.get(f"/api/v1/subjects/?grade={FOOD}:D&page_size=100")
    assert response.status_code == 200
    ids = {s["id"] for s in response.json()["results"]}
    grades = current_grades(ids, scheme=FOOD)
    assert ids and all(grades[i][0] == "D" for i in ids)


def test_industry_and_tag_filters(leader: Any, leader_client: Client) -> None:
    body = leader_client.get("/subjects/?industry_code=C13&per_page=100").content.decode()
    assert Subject.objects.filter(industry_code__startswith="C13").exists()
    assert {cells(r)[6] for r in rows(body)} <= {
        "谷物磨制",
        "饲料加工",
        "植物油加工",
        "屠宰及肉类加工",
        "水产品加工",
        "蔬菜、菌类、水果和坚果加工",
        "农副食品加工业",
    }
    link = (
        SubjectTag.objects.select_related("subject", "tag")
        .filter(subject__region__path__startswith=leader.organization.region.path)
        .first()
    )
    assert link is not None
    tagged = leader_client.get(f"/subjects/?tag={link.tag_id}&per_page=100").content.decode()
    assert link.subject.name in tagged


def test_the_region_tree_holds_only_the_users_scope(inspector: Any, leader: Any) -> None:
    inspector_regions = option_labels(login(inspector).get("/subjects/").content.decode(), "region")
    county = inspector.organization.region
    assert inspector_regions[0] == "全部" and inspector_regions[1] == county.name
    towns = list(Region.objects.filter(parent=county).values_list("name", flat=True))
    assert inspector_regions[2:] == ["\u3000" + t for t in sorted(towns, key=lambda n: n)] or set(inspector_regions[2:]) == {
        "\u3000" + t for t in towns
    }
    assert "宁波市" not in inspector_regions and "上城区" not in [r.strip("\u3000") for r in inspector_regions]
    leader_regions = option_labels(login(leader).get("/subjects/").content.decode(), "region")
    assert leader_regions[1] == leader.organization.region.name and "\u3000西湖区" in leader_regions
    assert not any("宁波" in r or "温州" in r for r in leader_regions)
    # A region outside the scope cannot be asked for (the list falls back to everything visible).
    outside = Region.objects.get(level="city", name="宁波市")
    body = login(inspector).get(f"/subjects/?region={outside.pk}&per_page=100").content.decode()
    towns = tuple(Region.objects.filter(parent=county).values_list("name", flat=True))
    assert rows(body) and all(cells(r)[5].startswith(towns) for r in rows(body))  # named below 西湖区, all inside it


def test_page_size_and_jump_to_page_keep_the_sort_and_filters(leader_client: Client) -> None:
    body = leader_client.get(f"/subjects/?scheme={FOOD}&sort=-risk_score&per_page=25&page=3").content.decode()
    assert len(rows(body)) == 25
    assert "第 3 / " in body
    assert '<option value="25" selected>' in body
    # Every way on keeps the scheme, the sort and the page size; the filter form carries sort and size.
    for link in re.findall(r'href="\?([^"]*page=\d+)"', body):
        assert "scheme=" + FOOD in link and "sort=-risk_score" in link and "per_page=25" in link
    assert re.search(r'id="page-jump"[^>]*hx-get="\?[^"]*sort=-risk_score', body)
    assert '<input type="hidden" name="sort" value="-risk_score" form="filter-form">' in body
    assert 'name="per_page" id="page-size" form="filter-form"' in body
    first_page = leader_client.get(f"/subjects/?scheme={FOOD}&sort=-risk_score&per_page=25").content.decode()
    third = [cells(r)[0] for r in rows(body)]
    assert not set(third) & {cells(r)[0] for r in rows(first_page)}
    assert len(rows(leader_client.get("/subjects/?per_page=7").content.decode())) == 50  # an unknown size falls back


def test_the_htmx_table_is_a_partial_with_the_state(leader_client: Client) -> None:
    response = leader_client.get("/subjects/?sort=name&per_page=25", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    body = response.content.decode()
    assert "<html" not in body and 'id="object-list"' in body
    assert 'name="sort" value="name" form="filter-form"' in body


def test_chosen_columns_are_remembered_per_user_and_list_and_exported(leader: Any, inspector: Any) -> None:
    client = login(leader)
    response = client.post("/subjects/?sort=name", {"columns": ["risk_label", "risk_score", "region_name"]})
    assert response.status_code == 302 and response["Location"] == "/subjects/?sort=name"
    assert ListPreference.objects.get(user=leader, list_slug="subjects").hidden_columns
    # Another browser (a fresh session) of the same user sees the same columns.
    again = login(leader).get("/subjects/").content.decode()
    assert headers(again) == ["名称", "风险等级", "综合风险分", "所属区划"]
    # Other lists and other users are untouched.
    assert "统一社会信用代码" in headers(login(inspector).get("/subjects/").content.decode())
    assert len(headers(client.get("/records/").content.decode())) > 4
    export = client.get("/subjects/?export=xlsx&sort=-risk_score")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == ["名称", "风险等级", "综合风险分", "所属区划"]
    assert table[1][1].endswith("高风险") and isinstance(table[1][2], float)
    # The name column cannot be hidden; an HTMX save answers with the table.
    partial = client.post("/subjects/", {"columns": []}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table").content.decode()
    assert headers(partial) == ["名称"]
    chosen = client.post("/subjects/", {"columns": ["established_on"]}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    assert headers(chosen.content.decode()) == ["名称", "成立日期"]


def test_the_landing_page_shows_the_days_risk_with_links_into_the_lists(leader: Any, leader_client: Client) -> None:
    body = leader_client.get("/").content.decode()
    assert 'id="card-risk"' in body and 'id="card-warnings"' in body and 'id="card-work"' in body
    mine = set(visible(Subject.objects.all(), leader).values_list("pk", flat=True))
    d_count = sum(1 for level, _ in current_grades(mine, scheme=FOOD).values() if level == "D")
    link = f"/subjects/?grade={FOOD}%3AD&amp;sort=-risk_score"
    assert re.search(rf'href="{re.escape(link)}"[^>]*>\s*<span[^>]*>D 高风险</span><strong>{d_count}</strong>', body)
    listed = leader_client.get(f"/subjects/?grade={FOOD}:D&sort=-risk_score").content.decode()
    assert f"共 {d_count} 条" in listed
    assert "今日新增预警" in body and "未关闭预警" in body and "我的待办" in body and "已超期" in body


def test_the_landing_page_counts_only_the_scope(inspector: Any) -> None:
    body = login(inspector).get("/").content.decode()
    mine = set(visible(Subject.objects.all(), inspector).values_list("pk", flat=True))
    graded = len(current_grades(mine, scheme=FOOD))
    assert f"共 {graded} 户已评级" in body


def test_the_landing_page_counts_todays_warnings_and_overdue_orders_in_scope(inspector: Any, admin: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from regwatch.warnings.models import Warning
    from regwatch.workorders.models import WorkOrder
    from tests.builders import build, make_world

    world = make_world(inspector, admin)
    inside, outside = build(Warning, world)
    order_in, order_out = build(WorkOrder, world)
    past = timezone.now() - dt.timedelta(days=2)
    WorkOrder.objects.filter(pk__in=[order_in.pk, order_out.pk]).update(due_at=past)

    client = login(inspector)
    body = client.get("/").content.decode()
    assert re.search(r'id="home-warnings-today">1<', body) and re.search(r'id="home-warnings-open">1<', body)
    assert inside.title in body and outside.title not in body
    assert re.search(r'data-queue="overdue">1<', body)
    assert order_in.title in body and order_out.title not in body
    # The count links to a list that shows the same warning.
    today = timezone.localdate().isoformat()
    link = f"/warnings/?first_at_after={today}&amp;first_at_before={today}"
    assert link in body
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "共 1 条" in listed and inside.title in listed
    assert order_in.title in client.get("/workorders/?tab=overdue").content.decode()
