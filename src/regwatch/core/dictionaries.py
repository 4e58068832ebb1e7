"""Reading codes as names through the current version of a dictionary."""

from __future__ import annotations

from collections.abc import Iterable

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


def industry_name(code: str) -> str:
    names = code_names(["gbt4754.food"])["gbt4754.food"]
    return f"{code} {names[code]}" if code in names else code
