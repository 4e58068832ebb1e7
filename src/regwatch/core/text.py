"""Text shared by every app: message templates (warning rules, notifications, work-order write-backs)
and the Chinese text of a refusal."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError


class _Defaulting(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, context: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; unknown names stay visible instead of failing."""
    return string.Formatter().vformat(template, (), _Defaulting(context))


def error_text(exc: Exception) -> str:
    """A refusal as one line for a message: every reason of a ValidationError, else its text."""
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
