"""The declarative pack manifest, validated by pydantic.

Later layers (indicators, grade schemes, rules, workflows) add their own sections;
unknown keys are refused so a typo in a manifest fails loudly at load time.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

PACKS_PACKAGE = "regwatch.packs"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldSpec(Strict):
    name: str
    label: str
    type: Literal["string", "text", "integer", "decimal", "date", "boolean", "code"] = "string"
    required: bool = False
    dictionary: str | None = None


class SubjectKindSpec(Strict):
    code: str
    name: str
    description: str = ""
    attributes: list[FieldSpec] = Field(default_factory=list, description="pack-defined attributes of subjects of this kind")


class RecordTypeSpec(Strict):
    code: str
    name: str
    category: str = ""
    description: str = ""
    fields: list[FieldSpec] = Field(default_factory=list)


class DictionaryItemSpec(Strict):
    code: str
    name: str
    parent: str = ""
    matchable: bool = Field(
        default=False, description="items of an identifier_scheme dictionary: the value is unique per subject, so intake matches rows on it"
    )


class DictionarySpec(Strict):
    code: str
    name: str
    kind: str = "general"
    source: str = ""
    description: str = ""
    items: list[DictionaryItemSpec] = Field(default_factory=list)
    items_csv: str | None = Field(default=None, description="a CSV with code,name[,parent] shipped in regwatch.core.data")


class TagSpec(Strict):
    code: str
    name: str
    category: str = ""
    color: str = "secondary"
    description: str = ""


class DemoSpec(Strict):
    regions: list[str] = Field(description="GB/T 2260 city codes the demo data spreads over")
    organization: str = Field(description="suffix of the demo bureaus' names, e.g. 市场监督管理局")
    county: str = Field(description="GB/T 2260 code of the county whose bureau the demo inspector works in")


class PackManifest(Strict):
    name: str
    title: str
    version: str
    description: str = ""
    seed: str = ""
    subject_kinds: list[SubjectKindSpec]
    default_kind: str | None = Field(default=None, description="the subject kind intake gives a row whose mapping sets none")
    record_types: list[RecordTypeSpec]
    dictionaries: list[DictionarySpec] = Field(default_factory=list)
    tags: list[TagSpec] = Field(default_factory=list)
    demo: DemoSpec | None = None
    generator: str | None = Field(default=None, description="module:function that generates synthetic data")

    @field_validator("record_types")
    @classmethod
    def _unique_codes(cls, value: list[RecordTypeSpec]) -> list[RecordTypeSpec]:
        codes = [r.code for r in value]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"记录类型编码重复：{', '.join(dupes)}")
        return value

    @field_validator("default_kind")
    @classmethod
    def _known_kind(cls, value: str | None, info: Any) -> str | None:
        kinds = [k.code for k in info.data.get("subject_kinds", [])]
        if value is not None and value not in kinds:
            raise ValueError(f"默认主体类型 {value} 不在本业务包的主体类型中")
        return value

    def checksum(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def pack_dir(name: str) -> Path:
    return Path(str(resources.files(PACKS_PACKAGE).joinpath(name)))


def available_packs() -> list[str]:
    root = Path(str(resources.files(PACKS_PACKAGE)))
    return sorted(p.name for p in root.iterdir() if (p / "manifest.yaml").is_file())


def read_manifest(name: str) -> PackManifest:
    path = pack_dir(name) / "manifest.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"业务包 {name} 不存在（可用：{', '.join(available_packs())}）")
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PackManifest.model_validate(data)
