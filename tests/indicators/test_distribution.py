"""An indicator's page draws how its values are spread as a chart, with a short summary and table."""

from __future__ import annotations

import json
from typing import Any

from regwatch.indicators.models import Indicator
from regwatch.scoring.models import Score, ScoringRun


def _chart(page: str, element_id: str) -> Any:
    start = page.index(">", page.index(f'<script id="{element_id}"')) + 1
    return json.loads(page[start : page.index("</script>", start)])


def _latest(pack: str) -> ScoringRun:
    run = (
        ScoringRun.objects.filter(version__model__pack=pack, status=ScoringRun.Status.PUBLISHED, mode=ScoringRun.Mode.FULL)
        .order_by("-published_at", "-pk")
        .first()
    )
    assert run is not None
    return run


def test_counts_are_a_bar_chart_with_a_summary(overseer_client: Any) -> None:
    ind = Indicator.objects.get(code="penalties_12m")
    run = _latest(ind.pack)
    page = overseer_client.get(f"/indicators/{ind.pk}/").content.decode()
    assert 'data-chart="value-distribution-chart-data"' in page
    assert "vendor/echarts/echarts.min.js" in page and "regwatch/charts.js" in page and "<script>" not in page
    data = _chart(page, "value-distribution-chart-data")
    assert data["type"] == "bar" and data["series"][0]["name"] == "主体数"
    counts = [n if isinstance(n, int) else n["value"] for n in data["series"][0]["data"]]
    assert sum(counts) == Score.objects.filter(run=run).count()
    assert all(label.endswith("次") or label == "无数据" for label in data["categories"])
    summary = page[page.index('id="distribution-summary"') :]
    assert f"{Score.objects.filter(run=run).count()} 户有取值" in summary or "户无数据" in summary
    assert "中位数" in summary and "单位：次" in summary
    table = page[page.index('id="value-distribution"') :]
    assert "<th>取值</th>" in table and "主体数" in table


def test_a_ratio_is_binned_in_percent(overseer_client: Any) -> None:
    ind = Indicator.objects.get(code="inspection_fail_rate")
    page = overseer_client.get(f"/indicators/{ind.pk}/").content.decode()
    data = _chart(page, "value-distribution-chart-data")
    labels = [c for c in data["categories"] if c != "无数据"]
    assert labels and all("%" in c for c in labels)
    assert not any(c.startswith("[") or c.startswith("0.") for c in data["categories"])
    summary = page[page.index('id="distribution-summary"') : page.index("</p>", page.index('id="distribution-summary"'))]
    assert "%" in summary and "比例" not in summary
