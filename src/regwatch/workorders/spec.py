"""``workflows.yaml``: work-order types as data — states, transitions, roles, fields, deadlines."""

from __future__ import annotations

import hashlib
import json
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EFFECTS = {"assign", "add_co_org", "supervise", "close", "reopen", "evaluate", "archive", "write_record"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldSpec(_Strict):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: str
    type: Literal["text", "int", "choice", "org", "user", "date"] = "text"
    required: bool = True
    choices: dict[str, str] = {}
    min: int | None = None
    max: int | None = None


class DeadlineSpec(_Strict):
    working_days: int | None = Field(None, ge=0)
    hours: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> DeadlineSpec:
        if (self.working_days is None) == (self.hours is None):
            raise ValueError("期限须且只能指定 working_days 或 hours 之一")
        return self


class StateSpec(_Strict):
    code: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: str
    deadline: DeadlineSpec | None = None
    remind_before_hours: float = 0
    escalate_to: list[str] = []  # role codes notified when the state's deadline passes
    final: bool = False


class WriteRecordSpec(_Strict):
    record_type: str
    when: dict[str, Any] = {}
    summary: str = "工单{number}办结"
    data: dict[str, Any] = {}


class TransitionSpec(_Strict):
    code: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: str
    from_: list[str] = Field(alias="from")
    to: str | None = None  # None: stays in the same state
    roles: list[str] = []  # empty: any role with change permission
    assignee_only: bool = False  # only the assigned user / a member of the assignee or co-handling organisations
    fields: list[FieldSpec] = []
    attachments: int = Field(0, ge=0)  # minimum number of files
    effects: list[str] = []
    write_record: WriteRecordSpec | None = None

    @model_validator(mode="after")
    def _effects(self) -> TransitionSpec:
        unknown = set(self.effects) - EFFECTS
        if unknown:
            raise ValueError(f"未知的效果：{', '.join(sorted(unknown))}")
        return self


class WorkflowSpec(_Strict):
    code: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    name: str
    initial: str
    states: list[StateSpec]
    transitions: list[TransitionSpec]

    @model_validator(mode="after")
    def _consistent(self) -> WorkflowSpec:
        codes = {s.code for s in self.states}
        if self.initial not in codes:
            raise ValueError(f"流程 {self.code} 的初始状态 {self.initial} 未定义")
        for t in self.transitions:
            bad = [s for s in [*t.from_, *([t.to] if t.to else [])] if s not in codes]
            if bad:
                raise ValueError(f"流程 {self.code} 的动作 {t.code} 引用了未定义的状态：{', '.join(bad)}")
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


class WorkflowsFile(_Strict):
    workflows: list[WorkflowSpec]


def checksum(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_workflows(pack: str, data: Any) -> dict[str, int]:
    """A changed definition becomes a new version; running orders keep theirs.

    A definition changed locally (a version written outside a pack load) is kept and reported as a
    conflict unless the load is forced (packs/tracking.py).
    """
    from regwatch.packs.tracking import CREATED, UPDATED, sync_version

    from .models import WorkflowDefinition

    spec = WorkflowsFile.model_validate(data)
    created = 0
    for wf in spec.workflows:
        content: dict[str, Any] = {"name": wf.name, "definition": wf.as_json()}
        history = WorkflowDefinition.objects.filter(code=wf.code).order_by("-version")
        outcome = sync_version(history.filter(is_current=True).first(), history, content, partial(_new_version, pack, wf.code, **content))
        created += outcome in (CREATED, UPDATED)
    return {"工单流程版本": created}


def _new_version(pack: str, code: str, name: str, definition: dict[str, Any]) -> Any:
    from .models import WorkflowDefinition

    latest = WorkflowDefinition.objects.filter(code=code).order_by("-version").first()
    WorkflowDefinition.objects.filter(code=code, is_current=True).update(is_current=False)
    return WorkflowDefinition.objects.create(
        code=code, name=name, version=(latest.version + 1) if latest else 1, definition=definition, checksum=checksum(definition), pack=pack
    )
