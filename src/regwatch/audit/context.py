"""Who is acting, carried through a request or a CLI command without passing it around."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


def _nobody() -> Any:
    return None


@dataclass(frozen=True)
class Actor:
    # A getter, not the user: a request's user is known only after authentication
    # (DRF authenticates token clients inside the view), so it is read when needed.
    get_user: Callable[[], Any] = _nobody
    label: str = "system"
    ip: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    @property
    def user(self) -> Any:
        return self.get_user()


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("regwatch_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def system(label: str) -> contextlib.AbstractContextManager[Actor]:
    """For CLI commands and jobs: ``with system("pack-load"): ...``."""
    return acting_as(Actor(label=f"system:{label}"))
