"""One key operation, one audit event (docs/security.md, "Key operations and their audit events").

A key operation (a work-order step, a warning review, a grade override, a scoring run, a role
change …) often writes several rows: the step and the order it moves, a warning saved twice, the
roles and the regions of a user.  The model signals would leave one event per row and save; an
auditor asking "what did this person do" wants one.  So the service performing the operation
wraps it::

    with key_operation() as op:
        step = WorkOrderStep.objects.create(...)
        order.save()
        op.about(step, created=True)

Inside the block the audit signals write nothing: they hand their events to the operation.  When
the block ends without an error, the operation writes exactly one event:

- ``op.about(obj)``: one create/update/delete event on that object, with its state before the
  operation (the first "before" of each field) and after it (the last "after"); a main object
  that is not ``@audited`` (a step, a comment, a scoring run) gets its event all the same.
- ``op.summarize(model, summary)``: one ``bulk`` event for an operation over many rows (a bulk
  review), its summary plus the number of rows it changed by type and action (``涉及记录``).
  The summary is shown to auditors as it is: its keys and values are words, not codes.

An operation inside another (a publish runs a scoring run) is part of the outer one: its ``about``
and ``summarize`` are ignored and its rows fold into the outer event.  Explicit events go through
``record`` so that they fold the same way.  What happens after the operation returned (warnings
fired on commit by a grade change, a re-grading queued for later) is not part of it.  An
operation that fails writes what it changed before the failure, unless that is rolled back.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models

from .models import AuditEvent
from .services import record_bulk, record_change, snapshot

Key = tuple[str, str]


@dataclass
class _Folded:
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class Operation:
    main: models.Model | None = None
    created: bool = False
    fields: tuple[str, ...] = ()
    summary: tuple[type[models.Model], dict[str, Any]] | None = None
    folded: dict[Key, list[_Folded]] = field(default_factory=dict)
    nested: bool = False

    def about(self, instance: models.Model, *, created: bool = False, fields: tuple[str, ...] = ()) -> None:
        """The object this operation is about; ``created``: the operation created it; ``fields``:
        the only ones its event keeps (a run's outcome, not its timings and heartbeat)."""
        if not self.nested:
            self.main, self.created, self.fields = instance, created, fields

    def summarize(self, model: type[models.Model], summary: dict[str, Any]) -> None:
        if not self.nested:
            self.summary = (model, summary)

    def fold(self, action: str, instance: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.folded.setdefault(_key(instance), []).append(_Folded(action, before, after))

    def rows(self) -> dict[str, dict[str, int]]:
        """How many rows the operation changed, as an auditor reads it: {"预警": {"修改": 3}}."""
        actions = dict(AuditEvent.Action.choices)
        counts: dict[str, dict[str, int]] = {}
        for (object_type, _), events in self.folded.items():
            per_type = counts.setdefault(_model_name(object_type), {})
            for e in events:
                action = str(actions.get(e.action, e.action))
                per_type[action] = per_type.get(action, 0) + 1
        return counts

    def write(self) -> None:
        if self.main is not None:
            _write_main(self.main, self.created, self.folded.get(_key(self.main), []), self.fields)
        elif self.summary is not None:
            model, summary = self.summary
            record_bulk(model, {**summary, ROWS: self.rows()})


ROWS = "涉及记录"  # the summary's keys are what the auditor's page shows: words, not codes


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _key(instance: models.Model) -> Key:
    return instance._meta.label_lower, str(instance.pk)


def _write_main(instance: models.Model, created: bool, events: list[_Folded], fields: tuple[str, ...]) -> None:
    def kept(data: dict[str, Any] | None) -> dict[str, Any] | None:
        return {k: v for k, v in data.items() if k in fields} if data is not None and fields else data

    if events and events[-1].action == "delete":
        record_change("delete", instance, kept(_merged(events, "before")), None)
        return
    if created or any(e.action == "create" for e in events):
        record_change("create", instance, None, kept({**snapshot(instance), **(_merged(events, "after") or {})}))
    elif events:  # an operation that changed nothing leaves nothing
        record_change("update", instance, kept(_merged(events, "before")), kept(_merged(events, "after")))


def _merged(events: list[_Folded], side: str) -> dict[str, Any] | None:
    """Each field as before the first change of it (``before``) or after the last (``after``)."""
    out: dict[str, Any] = {}
    for e in events if side == "after" else reversed(events):
        out.update(getattr(e, side) or {})
    return out or None


_open: contextvars.ContextVar[Operation | None] = contextvars.ContextVar("regwatch_operation", default=None)


@contextlib.contextmanager
def key_operation() -> Iterator[Operation]:
    outer = _open.get()
    if outer is not None:
        yield Operation(nested=True)
        return
    op = Operation()
    token = _open.set(op)
    try:
        yield op
    except BaseException:
        # What was committed before the failure (a publish whose scoring run then broke) keeps its
        # event; inside a transaction that is rolled back the event goes with it.
        _open.reset(token)
        if not connection.needs_rollback:
            op.write()
        raise
    _open.reset(token)
    op.write()


def record(action: str, instance: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """An audit event, or part of the key operation under way (the audit signals call this)."""
    op = _open.get()
    if op is None:
        record_change(action, instance, before, after)
    else:
        op.fold(action, instance, before, after)
