"""Per-user preferences of the generic lists (which columns to show), read and written by the web layer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import ListPreference


def hidden_columns(user: Any, list_slug: str) -> set[str] | None:
    """The columns ``user`` hid in the list; ``None`` when they never chose (the list's defaults apply)."""
    if not getattr(user, "is_authenticated", False):
        return None
    pref = ListPreference.objects.filter(user=user, list_slug=list_slug).values_list("hidden_columns", flat=True).first()
    return None if pref is None else set(pref)


def hide_columns(user: Any, list_slug: str, hidden: Iterable[str]) -> None:
    """Remember the columns ``user`` hid in ``list_slug`` (only their own: there is no one else's to set)."""
    ListPreference.objects.update_or_create(user=user, list_slug=list_slug, defaults={"hidden_columns": sorted(set(hidden))})
