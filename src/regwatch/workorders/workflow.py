"""The one workflow engine: every work-order type runs through ``transition``; no per-type code.

A transition is checked (state, role, assignee, required fields, attachments), then the
order moves, the step is stored, every attachment and the step go to the evidence ledger,
declared effects run (assign, close, write a record back...), the state's deadline is set
and the people concerned are notified.  A refusal is a ``TransitionRefused`` with a Chinese
message, shown in the UI and returned as a problem document by the API.

Handing an order to an organisation outside its region (assign, transfer, co-handling) is
refused here, for every caller, unless the user holds cross-region rights.  Notifications
follow through ``signals.order_event``; this module never imports the notifications app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from regwatch.accounts.models import User
from regwatch.accounts.roles import ROLES
from regwatch.accounts.scope import allows_object
from regwatch.audit import ledger
from regwatch.audit.operations import key_operation
from regwatch.core.models import Organization
from regwatch.core.orgpicker import pickable
from regwatch.core.text import render_message
from regwatch.subjects.models import Record, RecordType
from regwatch.subjects.signals import announce
from regwatch.warnings.services import close as close_warning
from regwatch.warnings.services import mark_dispatched
from regwatch.web.services import require, require_in_scope

from . import calendar
from .models import Attachment, WorkflowDefinition, WorkOrder, WorkOrderStep
from .signals import announce_order


class TransitionRefused(Exception):
    STATUS = {"state": 409, "role": 403, "scope": 403, "region": 403, "fields": 400, "attachments": 400, "unknown": 400}

    def __init__(self, code: str, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or {}

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)


def state_spec(order: WorkOrder, code: str | None = None) -> dict[str, Any]:
    code = code or order.state
    return next(s for s in order.spec["states"] if s["code"] == code)


def transition_spec(order: WorkOrder, action: str) -> dict[str, Any] | None:
    return next((t for t in order.spec["transitions"] if t["code"] == action), None)


def user_roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def waiting_roles(spec: dict[str, Any], state: str) -> set[str]:
    """The roles an order in ``state`` waits for, or none when it waits for its assignee.

    A state waits for roles when the transitions that move an order out of it are all open to
    roles rather than reserved to the assignee — e.g. 待核查 (verification by business admins
    or leaders) and 待派发.  Transitions that stay in the state (督办, 转办 back to 待签收) do
    not make a state wait for anyone: they are possible, not expected.
    """
    moves = [t for t in spec["transitions"] if state in t["from"] and t.get("to") and t["to"] != state]
    if not moves or any(t.get("assignee_only") or not t["roles"] for t in moves):
        return set()
    return {r for t in moves for r in t["roles"]}


def may_cross_regions(user: Any) -> bool:
    if user is None or user.is_superuser or getattr(user, "scope_all", False):
        return True
    return bool(user.has_perm("workorders.dispatch_cross_region"))


def covers(org: Organization, order: WorkOrder) -> bool:
    """An organisation is inside the order's region when its region contains the order's or lies within it."""
    return covers_region(org, order.region)


def covers_region(org: Organization, region: Any) -> bool:
    a, b = org.region.path, region.path
    return bool(a.startswith(b) or b.startswith(a))


def dispatchable(user: Any, region: Any) -> list[Organization]:
    """The organisations ``user`` may hand an order of ``region`` to: what ``check_region`` accepts.

    Pickers offer exactly these; the engine checks again whatever is posted.
    """
    orgs = list(pickable(Organization.objects.all()))
    return orgs if may_cross_regions(user) else [o for o in orgs if covers_region(o, region)]


def check_region(order: WorkOrder, user: Any, org: Organization | None, label: str) -> None:
    if org is None or may_cross_regions(user) or covers(org, order):
        return
    raise TransitionRefused(
        "region",
        f"“{label}”{org.name}不在工单所属区划（{order.region.full_name}）内，您没有跨区划派发、转办或邀请协办的权限",
        {"region": ["需要跨区划派发权限"]},
    )


def is_assignee(order: WorkOrder, user: Any) -> bool:
    if order.assignee_user_id is not None:
        return bool(order.assignee_user_id == user.pk)
    org = getattr(user, "organization", None)
    if org is None:
        return False
    if order.assignee_org_id == org.pk:
        return True
    return order.co_orgs.filter(pk=org.pk).exists()


def refusal(order: WorkOrder, t: dict[str, Any] | None, user: Any) -> TransitionRefused | None:
    """Why ``user`` may not take ``t`` now (state, role, assignee), or ``None``."""
    if t is None:
        return TransitionRefused("unknown", "该工单类型没有此办理动作")
    if order.state not in t["from"]:
        return TransitionRefused("state", f"工单当前状态为“{order.state_name}”，不能执行“{t['name']}”")
    if user.is_superuser:
        return None
    if not user.has_perm("workorders.change_workorder"):
        return TransitionRefused("role", "您没有办理工单的权限")
    if t["roles"] and not (user_roles(user) & set(t["roles"])):
        names = "、".join(ROLES[r].label for r in t["roles"] if r in ROLES)
        return TransitionRefused("role", f"“{t['name']}”只能由{names}办理")
    if t.get("assignee_only") and not is_assignee(order, user):
        return TransitionRefused("role", f"“{t['name']}”只能由承办单位或承办人办理")
    return None


def available(order: WorkOrder, user: Any) -> list[dict[str, Any]]:
    return [t for t in order.spec["transitions"] if refusal(order, t, user) is None]


def _clean_fields(t: dict[str, Any], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in t["fields"]:
        name, label, value = f["name"], f["label"], raw.get(f["name"])
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if f["required"]:
                errors[name] = [f"请填写“{label}”"]
            continue
        try:
            if f["type"] == "int":
                if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdecimal())):
                    raise ValueError(f"“{label}”应为整数")
                value = int(value)
                if (f.get("min") is not None and value < f["min"]) or (f.get("max") is not None and value > f["max"]):
                    raise ValueError(f"“{label}”应在{f.get('min')}至{f.get('max')}之间")
            elif f["type"] == "choice":
                if value not in f["choices"]:
                    raise ValueError(f"“{label}”应为：{'、'.join(f['choices'].values())}")
            elif f["type"] in ("org", "user"):
                if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdecimal())):
                    raise ValueError(f"“{label}”应为编号")
                value = int(value)
            elif f["type"] == "date":
                value = dt.date.fromisoformat(str(value)).isoformat()
            elif not isinstance(value, str):
                raise ValueError(f"“{label}”应为文本")
        except ValueError as exc:
            errors[name] = [str(exc) if "“" in str(exc) else f"“{label}”格式不正确"]
            continue
        values[name] = value
    return values, errors


def _actor_label(user: Any) -> str:
    return user.get_username() if user is not None else "system"


@dataclass(frozen=True)
class StoredFile:
    """An upload already hashed and written to storage, waiting for its rows and ledger entry."""

    name: str  # storage name
    original_name: str
    size: int
    digest: str


def store_upload(upload: Any) -> StoredFile:
    """Hash (unless the upload handler already did) and write a file to storage.

    Call this before opening a transaction: hashing and copying a large file inside one would
    hold SQLite's write lock (and a PostgreSQL row lock on the order) for as long as they take.
    """
    original = str(getattr(upload, "name", "file"))[:200]
    data_digest = ledger.upload_digest(upload)
    name = Attachment._meta.get_field("file").generate_filename(None, original)  # type: ignore[attr-defined,arg-type]
    name = default_storage.save(name, upload)
    return StoredFile(name, original, getattr(upload, "size", 0) or default_storage.size(name), data_digest)


def add_attachment(order: WorkOrder, upload: Any, user: Any, step: WorkOrderStep | None = None) -> Attachment:
    """Record a file (an upload, or a ``StoredFile`` from ``store_upload``) and vouch for it in the ledger."""
    stored = upload if isinstance(upload, StoredFile) else store_upload(upload)
    att = Attachment(order=order, step=step, name=stored.original_name, size=stored.size)
    att.digest, att.algorithm, att.uploaded_by = stored.digest, ledger.ALGORITHM, user
    att.file.name = stored.name
    with transaction.atomic():
        att.save()
        att.ledger_seq = ledger.append(
            "attachment",
            "workorders.attachment",
            str(att.pk),
            {"order": order.number, "name": att.name, "file": att.file.name, "digest": stored.digest, "size": att.size},
        )
        att.save(update_fields=["ledger_seq"])
    return att


def _record_step(
    order: WorkOrder, user: Any, action: str, name: str, from_state: str, to_state: str, comment: str, fields: dict[str, Any]
) -> WorkOrderStep:
    seq = (order.steps.aggregate(m=Max("seq"))["m"] or 0) + 1
    step = WorkOrderStep.objects.create(
        order=order,
        seq=seq,
        action=action,
        action_name=name,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=_actor_label(user),
        comment=comment,
        fields=fields,
    )
    step.ledger_seq = ledger.append(
        "workorder_step",
        "workorders.workorderstep",
        str(step.pk),
        {
            "order": order.number,
            "seq": seq,
            "action": action,
            "from": from_state,
            "to": to_state,
            "actor": step.actor_label,
            "at": step.at.isoformat(),
            "comment": comment,
            "fields": fields,
        },
    )
    step.save(update_fields=["ledger_seq"])
    return step


def _enter_state(order: WorkOrder, state: str, now: dt.datetime) -> None:
    order.state, order.state_since = state, now
    order.due_at = calendar.deadline(now, state_spec(order, state).get("deadline"))
    order.reminded, order.escalation_level = False, 0


def create_order(
    user: Any,
    *,
    workflow: str,
    title: str,
    region: Any,
    subject: Any = None,
    description: str = "",
    source: str = "manual",
    warning: Any = None,
    clue: Any = None,
    external_ref: str = "",
    assignee_org: Organization | None = None,
) -> WorkOrder:
    if user is not None:
        require(user, "workorders.add_workorder")
    definition = WorkflowDefinition.objects.filter(code=workflow, is_current=True).first()
    if definition is None:
        raise TransitionRefused("unknown", f"未定义的工单类型：{workflow}")
    now = timezone.now()
    with transaction.atomic(), key_operation() as op:
        order = WorkOrder(
            number=_next_number(now),
            title=title[:200],
            description=description,
            workflow=definition,
            region=region,
            subject=subject,
            source=source,
            warning=warning,
            clue=clue,
            external_ref=external_ref,
            assignee_org=assignee_org,
            created_by=user,
            created_at=now,
        )
        if user is not None:
            require_in_scope(user, order)
        check_region(order, user, assignee_org, "承办单位")
        _enter_state(order, definition.definition["initial"], now)
        order.save()
        step = _record_step(order, user, "create", "创建", "", order.state, description, {"source": source})
        ctx = {"action": "创建", "actor": step.actor_label}
        actor = getattr(user, "pk", None)
        if assignee_org is not None:
            announce_order(order.pk, "assigned", ctx, actor_id=actor)
        if roles := waiting_roles(order.spec, order.state):
            announce_order(order.pk, "waiting", ctx, roles, actor_id=actor)
        if warning is not None:
            mark_dispatched(warning)
        op.about(order, created=True)  # the creation step and the warning's 已派单 fold in
    return order


def assigning_transition(definition: WorkflowDefinition) -> tuple[dict[str, Any], str] | None:
    """The transition out of the initial state that hands the order to an organisation, and its org field."""
    spec = definition.definition
    for t in spec["transitions"]:
        if spec["initial"] in t["from"] and "assign" in t["effects"]:
            field = next((f["name"] for f in t["fields"] if f["type"] == "org"), None)
            if field:
                return t, field
    return None


def create_and_dispatch(user: Any, *, workflow: str, assignee_org: Organization | None, **kwargs: Any) -> WorkOrder:
    """A new order handed at once to ``assignee_org`` (none: it waits to be dispatched).

    When the workflow starts in a state whose way out is a dispatch step (待派发 → 派发), that step
    is taken too, so the order is recorded, checked and announced as every dispatch is.
    """
    definition = WorkflowDefinition.objects.filter(code=workflow, is_current=True).first()
    found = assigning_transition(definition) if definition is not None and assignee_org is not None else None
    with transaction.atomic(), key_operation() as op:
        if found is None or assignee_org is None:
            order = create_order(user, workflow=workflow, assignee_org=assignee_org, **kwargs)
        else:
            t, field = found
            order = create_order(user, workflow=workflow, **kwargs)
            transition(order, user, t["code"], {field: assignee_org.pk})
            order.refresh_from_db()
        op.about(order, created=True)  # created and dispatched: one operation
    return order


def _next_number(now: dt.datetime) -> str:
    prefix = f"GD{timezone.localtime(now):%Y%m%d}"
    last = WorkOrder.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:05d}"


def transition(
    order: WorkOrder, user: Any, action: str, fields: dict[str, Any] | None = None, files: Sequence[Any] = (), comment: str = ""
) -> WorkOrderStep:
    if user is not None and not allows_object(user, order):
        raise TransitionRefused("scope", "该工单不在您的数据权限范围内")
    stored = [store_upload(f) for f in files]  # the slow part, before the transaction
    try:
        step = _transition(order, user, action, fields, stored, comment)
    except BaseException:
        for s in stored:
            default_storage.delete(s.name)
        raise
    return step


def _transition(
    order: WorkOrder, user: Any, action: str, fields: dict[str, Any] | None, files: list[StoredFile], comment: str
) -> WorkOrderStep:
    # One audit event per step, on the step; the order's changes and the effects (a warning
    # closed, a record written back) fold into it (audit.operations).
    with transaction.atomic(), key_operation() as op:
        order = WorkOrder.objects.select_for_update().select_related("workflow").get(pk=order.pk)
        t = transition_spec(order, action)
        why = (
            refusal(order, t, user)
            if user is not None
            else (None if t and order.state in t["from"] else TransitionRefused("state", "当前状态不能执行此动作"))
        )
        if why is not None:
            raise why
        assert t is not None
        values, errors = _clean_fields(t, fields or {})
        missing_files = len(files) < t["attachments"]
        if missing_files:
            errors["files"] = [f"附件为必填项：请上传至少{t['attachments']}个附件"]
        if errors:
            # Every problem at once, each under its field (the form shows them beside the fields).
            code = "fields" if len(errors) > 1 or not missing_files else "attachments"
            text = "；".join(m for name, ms in errors.items() if name != "files" for m in ms)
            if missing_files:
                text = "；".join(filter(None, [text, f"“{t['name']}”须上传至少{t['attachments']}个附件"]))
            raise TransitionRefused(code, text, errors)
        _resolve_refs(t, values)
        _check_regions(order, t, values, user)
        now = timezone.now()
        from_state = order.state
        to_state = t["to"] or from_state
        if to_state != from_state or "reopen" in t["effects"]:
            _enter_state(order, to_state, now)
        step = _record_step(order, user, t["code"], t["name"], from_state, to_state, comment.strip(), values)
        for f in files:
            add_attachment(order, f, user, step)
        _apply_effects(order, t, values, now, user)
        order.data = {**order.data, **values}
        order.locked_by = order.locked_at = None
        order.save()
        op.about(step, created=True)
    _notify_after(order, t, step, from_state)
    return step


def _resolve_refs(t: dict[str, Any], values: dict[str, Any]) -> None:
    for f in t["fields"]:
        if f["name"] not in values:
            continue
        if f["type"] == "org" and not Organization.objects.filter(pk=values[f["name"]]).exists():
            raise TransitionRefused("fields", f"“{f['label']}”不存在", {f["name"]: ["单位不存在"]})
        if f["type"] == "user" and not User.objects.filter(pk=values[f["name"]], is_active=True).exists():
            raise TransitionRefused("fields", f"“{f['label']}”不存在", {f["name"]: ["人员不存在"]})


def _check_regions(order: WorkOrder, t: dict[str, Any], values: dict[str, Any], user: Any) -> None:
    from regwatch.accounts.models import User

    effects = set(t["effects"])
    labels = {f["name"]: f["label"] for f in t["fields"]}
    refs = []
    if "assign" in effects:
        refs += [("assignee_org", values.get("assignee_org"))]
        if values.get("assignee_user"):
            refs += [("assignee_user", User.objects.get(pk=values["assignee_user"]).organization_id)]
    if "add_co_org" in effects:
        refs += [("co_org", values.get("co_org"))]
    for name, org_id in refs:
        if org_id:
            check_region(order, user, Organization.objects.select_related("region").get(pk=org_id), labels.get(name, "承办单位"))


def _apply_effects(order: WorkOrder, t: dict[str, Any], values: dict[str, Any], now: dt.datetime, user: Any) -> None:
    effects = set(t["effects"])
    if "assign" in effects:
        if "assignee_org" in values:
            order.assignee_org_id = values["assignee_org"]
            order.assignee_user = None
        if "assignee_user" in values:
            order.assignee_user_id = values["assignee_user"]
    if "add_co_org" in effects and "co_org" in values:
        order.co_orgs.add(values["co_org"])
    if "supervise" in effects:
        order.supervised = True
    if "evaluate" in effects and "satisfaction" in values:
        order.satisfaction = values["satisfaction"]
    if "close" in effects:
        order.closed_at = now
        order.due_at = None
        if order.warning is not None:
            close_warning(order.warning, values.get("conclusion") or order.data.get("conclusion", ""))
        if order.clue_id:
            from .models import Clue

            Clue.objects.filter(pk=order.clue_id).update(status=Clue.Status.DONE)
    if "reopen" in effects:
        order.closed_at = None
        order.archived_at = None
    if "archive" in effects:
        order.archived_at = now
        order.due_at = None
    if "write_record" in effects and t.get("write_record") and order.subject_id:
        _write_record(order, t["write_record"], {**order.data, **values}, now)


def _write_record(order: WorkOrder, spec: dict[str, Any], values: dict[str, Any], now: dt.datetime) -> None:
    """Closure writes a fact back to the subject (→ records_added → re-grading and rules)."""

    subject_id = order.subject_id
    if subject_id is None or any(values.get(k) != v for k, v in spec.get("when", {}).items()):
        return
    rtype = RecordType.objects.filter(code=spec["record_type"]).first()
    if rtype is None:
        return

    ctx = {"number": order.number, "title": order.title, **values}
    data = {k: (render_message(v, ctx) if isinstance(v, str) else v) for k, v in spec.get("data", {}).items()}
    Record.objects.create(
        subject_id=subject_id,
        record_type=rtype,
        occurred_on=timezone.localdate(now),
        known_at=now,
        source="workorder",
        source_ref=f"{order.number}#{order.steps.count()}",  # a reopened order may close (and write) again
        summary=render_message(spec.get("summary", ""), ctx)[:255],
        data=data,
    )
    announce({subject_id}, {rtype.code}, "workorder")


def _notify_after(order: WorkOrder, t: dict[str, Any], step: WorkOrderStep, from_state: str) -> None:
    ctx, actor = {"action": t["name"], "actor": step.actor_label}, getattr(step.actor, "pk", None)
    announce_order(order.pk, "assigned" if "assign" in t["effects"] else "step", ctx, actor_id=actor)
    if order.closed_at is None and order.state != from_state and (roles := waiting_roles(order.spec, order.state)):
        announce_order(order.pk, "waiting", ctx, roles, actor_id=actor)
