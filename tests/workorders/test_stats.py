"""办理时效统计: a date range, totals, charts and the Excel export, over the orders the user may see."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from regwatch.audit.models import AccessEvent
from regwatch.workorders.models import WorkOrder
from regwatch.workorders.stats import working_days
from regwatch.workorders.workflow import create_order, transition


def _at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def orders(business_admin: Any, subject: Any, inspector: Any) -> dict[str, WorkOrder]:
    """Three orders of the inspector's bureau in November 2026 (no holidays then)."""
    out = {}
    for key in ("quick", "open_late", "from_october"):
        o = create_order(business_admin, workflow="risk_disposal", title=f"统计{key}", region=subject.region, subject=subject)
        transition(o, business_admin, "dispatch", {"assignee_org": inspector.organization.pk})
        out[key] = o
    # Mon 11-02 → Fri 11-06: four working days; created Mon 10-26, closed Wed 11-04 (late): seven.
    WorkOrder.objects.filter(pk=out["quick"].pk).update(created_at=_at("2026-11-02"), closed_at=_at("2026-11-06"), due_at=None)
    WorkOrder.objects.filter(pk=out["open_late"].pk).update(created_at=_at("2026-11-10"), due_at=timezone.now() - dt.timedelta(days=1))
    WorkOrder.objects.filter(pk=out["from_october"].pk).update(
        created_at=_at("2026-10-26"), closed_at=_at("2026-11-04"), was_overdue=True, due_at=None
    )
    return out


def test_working_days_skip_weekends() -> None:
    assert working_days(_at("2026-11-02"), _at("2026-11-06")) == 4
    assert working_days(_at("2026-10-26"), _at("2026-11-04")) == 7
    assert working_days(_at("2026-11-06"), _at("2026-11-09")) == 1  # Friday to Monday


def chart_data(page: str, element_id: str) -> Any:
    """The JSON a chart is drawn from (json_script)."""
    start = page.index(">", page.index(f'<script id="{element_id}"')) + 1
    return json.loads(page[start : page.index("</script>", start)])


def _figures(client: Any, query: str) -> tuple[dict[str, Any], str]:
    r = client.get(f"/workorders/stats/{query}")
    assert r.status_code == 200
    return r.context["totals"], r.content.decode()


def test_the_date_range_changes_the_totals(orders: dict[str, WorkOrder], overseer_client: Any, inspector: Any) -> None:
    totals, page = _figures(overseer_client, "?from=2026-11-01&to=2026-11-30")
    assert totals == {"created": 2, "closed": 2, "overdue": 1, "on_time_rate": 50.0, "avg_days": 5.5}
    assert '<div class="h1 mb-0" id="total-created">2</div>' in page
    assert ">50.0%<" in page and "5.5 个工作日" in page and "2026-11-01 至 2026-11-30" in page
    row = page[page.index(f"<td>{inspector.organization.name}</td>") :]
    cells = '<td class="text-end">2</td><td class="text-end">2</td><td class="text-end">1</td>'
    assert row.startswith(f"<td>{inspector.organization.name}</td>{cells}")

    totals, page = _figures(overseer_client, "?from=2026-11-01&to=2026-11-05")
    assert totals == {"created": 1, "closed": 1, "overdue": 0, "on_time_rate": 0.0, "avg_days": 7.0}
    assert 'value="2026-11-05"' in page


def test_the_page_draws_charts_from_the_figures(orders: dict[str, WorkOrder], overseer_client: Any, inspector: Any) -> None:
    _, page = _figures(overseer_client, "?from=2026-11-01&to=2026-11-30")
    for chart in ("chart-trend", "chart-state", "chart-org"):
        assert f'data-chart="{chart}-data"' in page
    assert "vendor/echarts/echarts.min.js" in page and "regwatch/charts.js" in page and "<script>" not in page
    trend = chart_data(page, "chart-trend-data")
    assert trend["categories"][:2] == ["10月26日起", "11月2日起"]
    assert [s["name"] for s in trend["series"]] == ["新建", "办结"]
    assert sum(trend["series"][0]["data"]) == 2 and sum(trend["series"][1]["data"]) == 2
    by_org = chart_data(page, "chart-org-data")
    assert inspector.organization.name in by_org["categories"]


def test_a_wrong_range_keeps_what_was_typed_and_says_why(overseer_client: Any) -> None:
    r = overseer_client.get("/workorders/stats/?from=2026-12-01&to=2026-11-01")
    assert r.status_code == 400
    page = r.content.decode()
    assert "开始日期不能晚于结束日期" in page and 'value="2026-12-01"' in page and 'value="2026-11-01"' in page


def test_export_is_a_workbook_with_chinese_headers_and_is_logged(
    orders: dict[str, WorkOrder], overseer_client: Any, inspector: Any
) -> None:
    before = AccessEvent.objects.filter(action="export").count()
    r = overseer_client.get("/workorders/stats/?from=2026-11-01&to=2026-11-30&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["汇总", "按承办单位", "按状态", "按周"]
    summary = list(wb["汇总"].values)
    assert summary[0] == ("统计区间", "新建工单", "办结工单", "超期工单", "按时办结率", "平均办理时长（工作日）")
    assert summary[1] == ("2026-11-01 至 2026-11-30", 2, 2, 1, "50.0%", 5.5)
    orgs = {row[0]: row for row in list(wb["按承办单位"].values)[1:]}
    assert orgs[inspector.organization.name][1:4] == (2, 2, 1)
    event = AccessEvent.objects.filter(action="export").order_by("-pk").first()
    assert AccessEvent.objects.filter(action="export").count() == before + 1
    assert event is not None and event.target == "办理时效统计" and event.detail["filters"] == {"from": "2026-11-01", "to": "2026-11-30"}
