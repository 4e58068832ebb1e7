"""Reading codes as names through the current version of a dictionary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery

from .models import DictionaryItem


def code_names(dictionary_codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{dictionary: {code: name}}`` for the current versions, in one query."""
    wanted = set(dictionary_codes)
    result: dict[str, dict[str, str]] = {d: {} for d in wanted}
    rows = DictionaryItem.objects.filter(dictionary__code__in=wanted, dictionary__is_current=True).values_list(
        "dictionary__code", "code", "name"
    )
    for dictionary, code, name in rows:
        result[dictionary][code] = name
    return result


def kind_names(kind: str) -> dict[str, str]:
    """``{code: name}`` over the current dictionaries of one kind, across every loaded pack.

    Each pack declares its own dictionary of a role (``kind: industry`` for the industry codes
    its subjects carry, ``kind: identifier_scheme`` for its identifier types), and codes are
    unique across packs, so the union reads any subject's code whatever its pack.
    """
    rows = DictionaryItem.objects.filter(dictionary__kind=kind, dictionary__is_current=True).values_list("code", "name")
    return dict(rows)


def industry_name(code: str) -> str:
    """``"C131 谷物磨制"``: the code and its name in the industry dictionary of its pack (the code alone if unknown)."""
    names = kind_names("industry")
    return f"{code} {names[code]}" if code in names else code


def industry_tree() -> list[tuple[str, str]]:
    """(code, name) of every current industry code of every pack, each indented under its parent code."""
    rows = list(
        DictionaryItem.objects.filter(dictionary__kind="industry", dictionary__is_current=True, enabled=True)
        .order_by("dictionary__code", "sort_order", "code")
        .values_list("code", "name", "parent_code")
    )
    parents = {code: parent for code, _, parent in rows}
    children: dict[str, list[tuple[str, str]]] = {}
    for code, name, parent in rows:
        children.setdefault(parent if parent in parents else "", []).append((code, name))
    out: list[tuple[str, str]] = []

    def walk(parent: str, depth: int) -> None:
        for code, name in children.get(parent, []):
            out.append((code, "\u3000" * depth + name))
            walk(code, depth + 1)

    walk("", 0)
    return out


def industry_label(code_field: str) -> Any:
    """The name of the industry code in ``code_field``, as a subquery: a list shows many without a query each."""
    items = DictionaryItem.objects.filter(code=OuterRef(code_field), dictionary__kind="industry", dictionary__is_current=True)
    return Subquery(items.values("name")[:1])
