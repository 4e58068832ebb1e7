"""Message templates shared by every app (warning rules, notifications, work-order write-backs)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


class _Defaulting(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, context: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; unknown names stay visible instead of failing."""
    return string.Formatter().vformat(template, (), _Defaulting(context))
