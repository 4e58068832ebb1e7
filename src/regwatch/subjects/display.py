"""Showing pack-defined fields (record data, subject attributes) with their Chinese labels and code names."""

from __future__ import annotations

from typing import Any

from regwatch.core.dictionaries import code_names


def _show(value: Any, spec: dict[str, Any], names: dict[str, dict[str, str]]) -> Any:
    if value is None or value == "":
        return "—"
    if spec.get("type") == "boolean":
        return "是" if value else "否"
    dictionary = spec.get("dictionary")
    if dictionary and str(value) in names.get(dictionary, {}):
        return names[dictionary][str(value)]
    return value


def labelled(specs: list[dict[str, Any]], data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Declared fields first, in declared order, then anything extra under its raw key."""
    names = code_names(s["dictionary"] for s in specs if s.get("dictionary"))
    rows = [(s["label"], _show(data.get(s["name"]), s, names)) for s in specs if s["name"] in data]
    declared = {s["name"] for s in specs}
    rows += [(k, v) for k, v in data.items() if k not in declared]
    return rows
