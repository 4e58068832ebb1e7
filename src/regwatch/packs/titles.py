"""Pack codes shown as the pack's title (食品企业信用风险分类), wherever a model keeps one."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from regwatch.web.readable import register_labels
from regwatch.web.registry import Display, register_display

from .models import PackInstall

CACHE_KEY = "packs:titles"


def pack_titles() -> dict[str, str]:
    """Code → title of every loaded pack; cached because a list page asks once per row."""
    titles: dict[str, str] | None = cache.get(CACHE_KEY)
    if titles is None:
        titles = dict(PackInstall.objects.values_list("name", "title"))
        cache.set(CACHE_KEY, titles, 600)
    return titles


def pack_title(code: Any) -> Any:
    """The title of the pack ``code``; an unknown code (a pack since removed) stays as it is."""
    return pack_titles().get(str(code), code) if code else code


def pack_choices() -> list[tuple[str, str]]:
    return sorted(pack_titles().items(), key=lambda item: item[1])


def _forget(**kwargs: Any) -> None:
    cache.delete(CACHE_KEY)


def connect() -> None:
    register_display("pack", Display(show=pack_title, choices=pack_choices))
    register_labels(pack_titles)
    post_save.connect(_forget, sender=PackInstall, dispatch_uid="packs-titles-save")
    post_delete.connect(_forget, sender=PackInstall, dispatch_uid="packs-titles-delete")
