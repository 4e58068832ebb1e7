"""The declarative pack manifest, validated by pydantic.

Later layers (indicators, grade schemes, rules, workflows) add their own sections;
unknown keys are refused so a typo in a manifest fails loudly at load time.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    departments: list[str] = Field(
        default=["监督管理一处", "监督管理二处", "信用监督管理处", "数据管理中心"],
        min_length=4,
        description="departments of each demo city bureau; the third hosts the model and business admins, the fourth the data admin",
    )


class DispatchSpec(Strict):
    """Which of the pack's workflows (``workflows.yaml``) the core starts for each kind of source."""

    warning: str | None = Field(default=None, description="workflow a warning of this pack is dispatched to")
    clue: str | None = Field(default=None, description="workflow a clue or ledger item of this pack is dispatched to")


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
    generator: str | None = Field(
        default=None, description="module:function, or file.py:function relative to the pack folder, that generates synthetic data"
    )
    dispatch: DispatchSpec = Field(default_factory=DispatchSpec)

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

    @model_validator(mode="after")
    def _one_dictionary_per_role(self) -> PackManifest:
        # The core finds a pack's industry codes and identifier schemes by the dictionary kind, so
        # two such dictionaries in one pack would make the lookup ambiguous.
        for kind in ("industry", "identifier_scheme"):
            codes = [d.code for d in self.dictionaries if d.kind == kind]
            if len(codes) > 1:
                raise ValueError(f"一个业务包只能有一个类别为 {kind} 的字典（当前：{', '.join(codes)}）")
        return self

    def checksum(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def pack_roots() -> list[Path]:
    """Folders searched for packs: the shipped ones first, then ``REGWATCH_PACK_DIRS`` in order."""
    shipped = Path(str(resources.files(PACKS_PACKAGE)))
    return [shipped, *(Path(d) for d in getattr(settings, "REGWATCH_PACK_DIRS", []))]


def pack_dir(name: str) -> Path:
    """The folder of pack ``name``: the first root that has ``name/manifest.yaml`` (the shipped folder if none)."""
    roots = pack_roots()
    for root in roots:
        if (root / name / "manifest.yaml").is_file():
            return root / name
    return roots[0] / name


def available_packs() -> list[str]:
    names: set[str] = set()
    for root in pack_roots():
        if root.is_dir():
            names.update(p.name for p in root.iterdir() if (p / "manifest.yaml").is_file())
    return sorted(names)


def read_manifest(name: str) -> PackManifest:
    path = pack_dir(name) / "manifest.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"业务包 {name} 不存在（可用：{', '.join(available_packs())}）")
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PackManifest.model_validate(data)


def load_generator(manifest: PackManifest) -> Callable[..., Any]:
    """The manifest's generator: ``package.module:function``, or ``file.py:function`` inside the pack folder
    (packs outside ``src``, such as test fixtures, are not importable packages)."""
    if not manifest.generator:
        raise ValueError(f"业务包 {manifest.name} 没有数据生成器")
    target, func_name = manifest.generator.split(":")
    if target.endswith(".py"):
        module_name = f"regwatch_pack_{manifest.name}_{Path(target).stem}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, pack_dir(manifest.name) / target)
            if spec is None or spec.loader is None:
                raise ValueError(f"业务包 {manifest.name} 的数据生成器 {target} 无法加载")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module  # dataclasses look their module up while the file executes
            spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, func_name)  # type: ignore[no-any-return]
