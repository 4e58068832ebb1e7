"""Writing audit and access events.  Signals call ``record_change``; views never write by hand."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from .context import current_actor
from .models import AccessEvent, AuditEvent


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    return value


# Secrets never enter the audit trail; bookkeeping timestamps alone are not a change.
NEVER_SNAPSHOT = {"password"}
NOT_A_CHANGE = {"last_login"}


def _fingerprint(value: Any) -> str:
    """An encrypted column enters the trail as a keyed fingerprint: a change stays visible, the value does not."""
    from .chain import audit_key
    from .ledger import keyed_digest

    return f"已加密·{keyed_digest(audit_key(), str(value).encode())[:8]}" if value else ""


def snapshot(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.attname in NEVER_SNAPSHOT:
            continue
        value = getattr(instance, f.attname)
        data[f.attname] = _fingerprint(value) if getattr(f, "encrypted", False) else _json_value(value)
    return data


def is_change(instance: models.Model, before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    if before is None:
        return True
    ignored = NOT_A_CHANGE | {f.attname for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
    return any(before.get(k) != v for k, v in after.items() if k not in ignored)


def _actor_fields() -> dict[str, Any]:
    actor = current_actor()
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    label = user.get_username() if user is not None else actor.label
    return {"actor": user, "actor_label": label, "ip": actor.ip}


def record_change(action: str, instance: models.Model, before: dict | None, after: dict | None) -> AuditEvent:
    fields = _actor_fields()
    return AuditEvent.objects.create(
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
        request_id=current_actor().request_id,
        **fields,
    )


def record_bulk(model: type[models.Model], summary: dict[str, Any]) -> AuditEvent:
    """Bulk loads bypass signals by design (speed); they leave one event with their summary."""
    return AuditEvent.objects.create(
        action=AuditEvent.Action.BULK,
        object_type=model._meta.label_lower,
        object_id="*",
        object_repr=f"批量：{model._meta.verbose_name}",
        after=summary,
        request_id=current_actor().request_id,
        **_actor_fields(),
    )


def record_access(action: str, target: str, **detail: Any) -> AccessEvent:
    return AccessEvent.objects.create(action=action, target=target[:255], detail=detail, **_actor_fields())


def record_login(action: str, user: Any, username: str = "") -> AccessEvent:
    """A sign-in, sign-out or failed sign-in: the account concerned is the actor, whoever the request
    carried at that moment (a failed one has no user, only the name typed)."""
    name = user.get_username() if user is not None else username
    return AccessEvent.objects.create(action=action, target=name[:255], actor=user, actor_label=name, ip=current_actor().ip)


API_CALL = "api_call"


def record_api_call(request: Any, response: Any) -> AccessEvent:
    """One access event per API call: who (the token's or session's user), which endpoint, the
    status, and how many rows a list returned out of how many.  The query string is left out, as
    it may carry search words."""
    data = getattr(response, "data", None)
    detail: dict[str, Any] = {"method": request.method, "status": response.status_code}
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        detail.update(rows=len(data["results"]), total=data.get("count"))
    elif isinstance(data, list):
        detail["rows"] = len(data)
    return record_access(API_CALL, f"{request.method} {request.path}", **detail)


def history(instance: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
