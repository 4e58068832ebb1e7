"""Which models are audited.  Decorate a model class with ``@audited``.

Many-to-many changes of an audited model are recorded with the related objects by name; an app
that knows a better name than ``str()`` (a role's Chinese label) registers it with ``describe_as``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

AUDITED: set[type] = set()
DESCRIBERS: dict[type, Callable[[Any], str]] = {}
T = TypeVar("T", bound=type)


def audited(cls: T) -> T:
    AUDITED.add(cls)
    return cls


def is_audited(model: type) -> bool:
    return any(issubclass(model, cls) for cls in AUDITED)


def describe_as(model: type, describe: Callable[[Any], str]) -> None:
    DESCRIBERS[model] = describe


def describe(obj: Any) -> str:
    for model, fn in DESCRIBERS.items():
        if isinstance(obj, model):
            return fn(obj)
    return str(obj)
