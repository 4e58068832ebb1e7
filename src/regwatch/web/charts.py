"""The data of a chart drawn by ``static/regwatch/charts.js`` (include ``web/_chart.html``).

A chart is plain JSON put on the page with ``json_script``; the same numbers are also shown as a
small table or summary beside it, so the page reads without the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def series(name: str, data: Sequence[Any], color: str = "", stack: str = "") -> dict[str, Any]:
    """``data``: numbers (``None`` for a gap), or ECharts items such as ``{"value": 3, "itemStyle": {...}}``."""
    out: dict[str, Any] = {"name": name, "data": list(data)}
    if color:
        out["color"] = color
    if stack:
        out["stack"] = stack
    return out


def chart(
    kind: str,
    categories: Sequence[str],
    data: Sequence[dict[str, Any]],
    *,
    percent: bool = False,
    y_name: str = "",
    horizontal: bool = False,
    scale: bool = False,
) -> dict[str, Any]:
    """``kind``: bar, line or pie; ``percent``: values are percentages (0–100); ``scale``: the value
    axis starts near the smallest value instead of 0 (rates that move between 95 % and 100 %)."""
    return {
        "type": kind,
        "categories": list(categories),
        "series": list(data),
        "percent": percent,
        "y_name": y_name,
        "horizontal": horizontal,
        "scale": scale,
    }
