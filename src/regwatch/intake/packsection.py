"""The ``intake.yaml`` pack section: sources, their field mappings and validation rules."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from regwatch.packs.tracking import CREATED, UPDATED, sync, sync_version
from regwatch.subjects.models import RecordType

from .models import SUBJECT_TARGET, FieldMapping, Source
from .signals import mapping_changed, section_loaded
from .transforms import parse_expression

RULES = {"required", "type", "range", "regex", "dictionary", "uscc", "id_card", "phone", "not_future", "gte", "length"}
TRANSFORMS = {"trim", "half_width", "full_width", "upper", "name", "text", "date", "dict", "unit", "regex", "const", "expr", "map"}


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(pattern=r"^(subject\.[a-z_]+|data\.[a-z_0-9]+|occurred_on|source_ref|summary)$")
    source: str = ""
    transforms: list[str] = []
    expr: str = ""
    default: Any = None

    @model_validator(mode="after")
    def _check(self) -> FieldSpec:
        for t in self.transforms:
            if t.partition(":")[0] not in TRANSFORMS:
                raise ValueError(f"unknown transform {t}")
            if t.startswith("expr:"):
                parse_expression(t[5:])
        if self.expr:
            parse_expression(self.expr)
        if not (self.source or self.expr or any(t.startswith(("const:", "expr:")) for t in self.transforms)):
            raise ValueError(f"{self.target}: needs a source column, a constant or an expression")
        return self


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    rule: str
    field: str
    severity: Literal["block", "warn"] = "block"

    @model_validator(mode="after")
    def _check(self) -> RuleSpec:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule}")
        return self


class MappingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str
    note: str = ""
    fields: list[FieldSpec]
    rules: list[RuleSpec] = []


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    owner: str = ""
    system: str = ""
    kind: Literal["file", "push", "http_pull", "db_pull"] = "file"
    frequency: str = ""
    contact: str = ""
    description: str = ""
    config: dict[str, Any] = {}
    mappings: list[MappingSpec] = []


class QualityRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    dataset: str
    field: str = ""
    dimension: Literal["completeness", "validity", "consistency", "uniqueness", "timeliness", "accuracy"]
    metric: str
    checks: list[str] = []
    expected: str = ""
    operator: Literal[">=", "<="] = ">="
    threshold: float = Field(default=0.99, ge=0, le=1)
    max_days: int = 30
    action: Literal["alert", "block"] = "alert"
    key_field: bool = False


class IntakeSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[SourceSpec]
    quality_rules: list[QualityRuleSpec] = []


def _new_version(source: Source, target: str, fields: list[dict[str, Any]], rules: list[dict[str, Any]], note: str) -> FieldMapping:
    version = (
        FieldMapping.objects.filter(source=source, target=target).order_by("-version").values_list("version", flat=True).first() or 0
    ) + 1
    FieldMapping.objects.filter(source=source, target=target, is_current=True).update(is_current=False)
    return FieldMapping.objects.create(source=source, target=target, version=version, fields=fields, rules=rules, note=note)


def save_mapping(source: Source, target: str, fields: list[dict[str, Any]], rules: list[dict[str, Any]], note: str = "") -> FieldMapping:
    """A user's edit: a new version when the content changed, else the current one.

    A version saved here is locally modified, so a pack reload keeps it (packs/tracking.py).
    """
    current = FieldMapping.objects.filter(source=source, target=target, is_current=True).first()
    if current is not None and current.fields == fields and current.rules == rules:
        return current
    mapping = _new_version(source, target, fields, rules, note)
    if current is not None:  # the catalog's source columns follow the mappings (pack loads sync once at the end)
        mapping_changed.send(sender=FieldMapping, pack=source.pack or None)
    return mapping


def load_intake(pack: str, data: Any) -> dict[str, int]:
    section = IntakeSection.model_validate(data)
    counts = {"数据源": 0, "字段映射": 0}
    known = set(RecordType.objects.values_list("code", flat=True)) | {SUBJECT_TARGET}
    for spec in section.sources:
        values = spec.model_dump(exclude={"code", "mappings"})
        counts["数据源"] += sync(Source, {"code": spec.code}, {**values, "pack": pack}) == CREATED
        source = Source.objects.get(code=spec.code)
        for m in spec.mappings:
            if m.target not in known:
                raise ValueError(f"source {spec.code}: unknown record type {m.target}")
            content = {
                "fields": [f.model_dump(exclude_defaults=True) for f in m.fields],
                "rules": [r.model_dump(exclude_defaults=True) for r in m.rules],
            }
            history = FieldMapping.objects.filter(source=source, target=m.target).order_by("-version")
            outcome = sync_version(
                history.filter(is_current=True).first(),
                history,
                content,
                partial(_new_version, source, m.target, **content, note=m.note),
            )
            counts["字段映射"] += outcome in (CREATED, UPDATED)
    for _, extra in section_loaded.send(sender=IntakeSection, pack=pack, section=section, known=known):
        if isinstance(extra, dict):  # quality rules (regwatch.quality), the data catalog (regwatch.catalog)
            counts.update(extra)
    return counts
