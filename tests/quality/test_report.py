"""The quality report as an official reads it: percentages, Chinese dataset and field names, trends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from regwatch.intake.models import Batch, Source
from regwatch.quality.models import Measurement, QualityRule
from regwatch.quality.services import trends
from tests.builders import World, make_world


@pytest.fixture
def both(inspector: Any, admin: Any) -> World:
    return make_world(inspector, admin)


def _measure(rule_code: str, month: str, total: int, passed: int, region: Any, source: Source) -> Measurement:
    rule = QualityRule.objects.get(code=rule_code)
    batch = Batch.objects.create(source=source, filename=f"质量{rule_code}{month}.csv", status="done", region=region)
    value = passed / total
    return Measurement.objects.create(
        rule=rule,
        source=source,
        batch=batch,
        period=dt.date.fromisoformat(f"{month}-01"),
        total=total,
        passed=passed,
        value=value,
        ok=rule.passes(value),
        region=region,
    )


@pytest.fixture
def measured(both: World) -> Source:
    """Three months of 2031 (a year of their own) for the penalty source, inside the inspector's county."""
    source = Source.objects.get(code="samr_penalty")
    region = both.inside.region
    for month, passed in (("2031-01", 80), ("2031-03", 90)):
        _measure("penalty_type_standard", month, 100, passed, region, source)
        _measure("penalty_time_normal", month, 100, 100, region, source)
        _measure("subject_uscc_present", month, 100, passed + 5, region, source)
    _measure("penalty_type_standard", "2031-03", 100, 10, both.outside.region, source)  # outside the county
    return source


def _chart(page: str, element_id: str) -> Any:
    start = page.index(">", page.index(f'<script id="{element_id}"')) + 1
    return json.loads(page[start : page.index("</script>", start)])


def test_scores_are_percentages_under_chinese_names(measured: Source, overseer_client: Any) -> None:
    page = overseer_client.get("/quality/report/", {"month": "2031-03", "source": measured.code}).content.decode()
    by_field = page[page.index('id="by-field"') : page.index("</table>", page.index('id="by-field"'))]
    assert "行政处罚 · 处罚种类" in by_field and "行政处罚 · 发生日期" in by_field and "主体登记 · 统一社会信用代码" in by_field
    assert "penalty" not in by_field and "uscc" not in by_field
    assert '<td>行政处罚 · 处罚种类</td><td class="text-end">50.00%</td>' in by_field  # 90 + 10 of 200, both counties
    by_dataset = page[page.index('id="by-dataset"') : page.index("</table>", page.index('id="by-dataset"'))]
    assert "<td>行政处罚</td>" in by_dataset and "<td>主体登记</td>" in by_dataset and "%" in by_dataset
    key = page[page.index('id="key-field-rate"') : page.index("</div>", page.index('id="key-field-rate"'))]
    assert "<strong>95.00%</strong>" in key and "≥ 99%" in key
    report = page[page.index('id="source-report"') :]
    assert "处罚类型不规范" in report and "<td>处罚种类</td>" in report and "规范性" in report and "≥ 99%" in report
    assert "50.00%" in report and "2031年1月" in report
    assert "0.5000" not in page and "0.9" not in by_field


def test_trend_charts_per_source_and_dimension(measured: Source, overseer_client: Any) -> None:
    page = overseer_client.get("/quality/report/", {"month": "2031-03"}).content.decode()
    assert 'data-chart="trend-source-data"' in page and 'data-chart="trend-dimension-data"' in page
    assert "vendor/echarts/echarts.min.js" in page and "regwatch/charts.js" in page
    by_source = _chart(page, "trend-source-data")
    assert by_source["categories"][-3:] == ["2031年1月", "2031年2月", "2031年3月"] and by_source["percent"] is True
    line = next(s for s in by_source["series"] if s["name"] == measured.name)
    # January: (80 + 100 + 85) of 300; February: nothing measured (a gap); March: (90 + 10 + 100 + 95) of 400.
    assert line["data"][-3:] == [88.3, None, 73.8]
    by_dimension = _chart(page, "trend-dimension-data")
    names = [s["name"] for s in by_dimension["series"]]
    assert names == ["完整性", "规范性", "准确性"]


def test_trends_count_only_what_the_user_may_see(measured: Source, both: World) -> None:
    mine = trends(dt.date(2031, 3, 1), source=measured, user=both.user)
    everyone = trends(dt.date(2031, 3, 1), source=measured, user=both.other)
    assert mine["by_dimension"]["规范性"][-1] == 90.0
    assert everyone["by_dimension"]["规范性"][-1] == 50.0
