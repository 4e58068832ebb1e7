"""Panels on the subject page (一企一档) contributed by other apps.

    register_panel(Panel("grade", "当前等级与评分解释", "scoring/_subject_panel.html", context=grade_panel, order=10))

``context(subject, user)`` returns the template's context (or ``None`` to hide the panel).
``column`` is "main" (wide, right) or "side" (narrow, left).  Panels are shown in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    code: str
    title: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 50
    column: str = "main"
    perm: str = ""


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    PANELS[panel.code] = panel


def panels_for(subject: Any, user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        if panel.perm and not user.has_perm(panel.perm):
            continue
        ctx = panel.context(subject, user)
        if ctx is not None:
            shown.append((panel, ctx))
    return shown
