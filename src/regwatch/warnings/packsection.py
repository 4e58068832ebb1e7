"""``rules.yaml``: the warning rules a pack declares (validated with pydantic, upserted by code)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from regwatch.packs.tracking import CREATED, UPDATED, sync

from .models import RuleKind, WarningRule


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9_.]+$", max_length=60)
    name: str
    kind: Literal["grade_drop", "grade_change", "indicator", "new_record", "record_count", "list_hit", "overdue"]
    level: Literal["red", "orange", "yellow", "blue"] = "yellow"
    message: str
    subject_kinds: list[str] = []
    params: dict[str, Any] = {}
    cooldown_days: int = Field(0, ge=0)
    enabled: bool = True
    description: str = ""

    @model_validator(mode="after")
    def _params(self) -> RuleSpec:
        need = {
            "indicator": ("indicator", "threshold"),
            "new_record": ("record_type",),
            "record_count": ("record_type", "count", "days"),
            "list_hit": ("tag",),
            "overdue": ("record_type",),
        }.get(self.kind, ())
        missing = [k for k in need if k not in self.params]
        if missing:
            raise ValueError(f"规则 {self.code} 缺少参数：{', '.join(missing)}")
        if self.kind == "indicator" and self.params.get("op", "above") not in ("above", "below", "rise_ratio"):
            raise ValueError(f"规则 {self.code} 的 op 应为 above/below/rise_ratio")
        return self


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[RuleSpec]


def load_rules(pack: str, data: Any) -> dict[str, int]:
    spec = RulesFile.model_validate(data)
    created = updated = 0
    for r in spec.rules:
        assert r.kind in RuleKind.values
        outcome = sync(WarningRule, {"code": r.code}, {**r.model_dump(exclude={"code"}), "pack": pack})
        created += outcome == CREATED
        updated += outcome == UPDATED
    return {"预警规则": created, "预警规则更新": updated}
