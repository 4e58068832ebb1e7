"""Which models are audited.  Decorate a model class with ``@audited``."""

from __future__ import annotations

from typing import TypeVar

AUDITED: set[type] = set()
T = TypeVar("T", bound=type)


def audited(cls: T) -> T:
    AUDITED.add(cls)
    return cls


def is_audited(model: type) -> bool:
    return any(issubclass(model, cls) for cls in AUDITED)
