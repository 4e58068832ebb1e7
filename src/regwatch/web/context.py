from __future__ import annotations

from itertools import groupby
from typing import Any

from django.http import HttpRequest

from regwatch.accounts.scope import region_paths

from .registry import LINKS, REGISTRY


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries: list[Any] = [o for o in REGISTRY.values() if user.has_perm(o.perm("view"))]
    entries += [link for link in LINKS if user.has_perm(link.perm)]
    visible = sorted(entries, key=lambda o: (o.menu_order, o.title))
    menu: list[tuple[str, list[Any]]] = []
    for group, items in groupby(visible, key=lambda o: o.menu):
        existing = next((m for m in menu if m[0] == group), None)
        if existing:
            existing[1].extend(items)
        else:
            menu.append((group, list(items)))
    paths = region_paths(user)
    if paths is None:
        scope = "全部区划"
    else:
        org = user.organization  # type: ignore[union-attr]
        names = ([org.region.full_name] if org else []) + [r.full_name for r in user.extra_regions.all()]  # type: ignore[union-attr]
        scope = "、".join(names) or "无"
    return {"nav_menu": menu, "nav_scope": scope}
