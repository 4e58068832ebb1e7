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
