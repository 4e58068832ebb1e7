"""Applying a field mapping to a row: transforms, standardisation and validation with every reason.

Targets: ``subject.<field>`` (uscc, name, licence_no, address, legal_representative, region_code,
kind, industry_code, status, established_on), ``occurred_on``, ``source_ref``, ``summary`` and
``data.<field>`` (the record type's fields).  Rules come from the record type's field definitions
(required, type, dictionary) plus the mapping's own rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from regwatch.core.identifiers import id_card_problems, normalize_code, uscc_problems

from .standardize import clean_text, standard_name
from .transforms import TransformError, apply_transform, parse_date, parse_decimal

SUBJECT_FIELDS = {
    "uscc": "统一社会信用代码",
    "name": "主体名称",
    "licence_no": "许可证编号",
    "address": "经营地址",
    "legal_representative": "法定代表人",
    "region_code": "区划代码",
    "kind": "主体类型",
    "industry_code": "行业代码",
    "status": "经营状态",
    "established_on": "成立日期",
}
RECORD_FIELDS = {"occurred_on": "发生日期", "source_ref": "来源编号", "summary": "摘要"}
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "已完成", "属实"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "未完成", "不属实"}
BLOCK, WARN = "block", "warn"


# Validation rules by their Chinese names (quarantine reasons, mapping pages).
RULE_NAMES = {
    "required": "必填",
    "type": "类型",
    "transform": "转换",
    "range": "取值范围",
    "regex": "格式",
    "dictionary": "代码表",
    "uscc": "统一社会信用代码校验",
    "id_card": "身份证校验",
    "phone": "电话",
    "not_future": "时间异常",
    "gte": "跨字段",
    "format": "行格式",
    "subject_match": "主体未匹配",
    "subject_review": "匹配待确认",
    "subject_key": "主体标识缺失",
    "region": "区划代码",
    "formula": "公式字符",
    "length": "长度",
}


@dataclass
class Reason:
    rule: str
    field: str
    message: str
    severity: str = BLOCK
    column: str = ""  # the file column (or pushed key) the value came from, so a fix form can show the error beside it

    def as_dict(self) -> dict[str, str]:
        out = {"rule": self.rule, "field": self.field, "message": self.message, "severity": self.severity}
        if self.column:
            out["column"] = self.column
        return out


@dataclass
class Prepared:
    subject: dict[str, Any] = field(default_factory=dict)
    occurred_on: dt.date | None = None
    source_ref: str = ""
    summary: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def blocking(self) -> list[Reason]:
        return [r for r in self.reasons if r.severity == BLOCK]

    @property
    def warnings(self) -> list[Reason]:
        return [r for r in self.reasons if r.severity == WARN]


def label_of(target: str, labels: dict[str, str]) -> str:
    kind, _, name = target.partition(".")
    if kind == "subject":
        return SUBJECT_FIELDS.get(name, name)
    if kind == "data":
        return labels.get(name, name)
    return RECORD_FIELDS.get(target, target)


CJK = re.compile(r"[\u3400-\u9fff]")


def source_columns(fields: list[dict[str, Any]]) -> dict[str, str]:
    """``{target: column}``: the first file column (or pushed key) each target is read from."""
    columns: dict[str, str] = {}
    for f in fields:
        if f.get("source"):
            columns.setdefault(f["target"], f["source"])
    return columns


def column_label(target: str, columns: dict[str, str], labels: dict[str, str]) -> str:
    """How a reason names a value: by the file's own column (检查日期), not the target field (发生日期).

    A key that is not Chinese (a pushed JSON key such as ``date``) keeps the field's label beside it
    so the message still reads: date（发生日期）.  A target read from no column keeps its label.
    """
    label = label_of(target, labels)
    column = columns.get(target)
    if not column or column == label:
        return label
    return column if CJK.search(column) else f"{column}（{label}）"


class CompiledMapping:
    def __init__(
        self,
        fields: list[dict[str, Any]],
        rules: list[dict[str, Any]],
        record_fields: list[dict[str, Any]] | None,
        lookups: Callable[[str], dict[str, str]],
        today: dt.date | None = None,
    ) -> None:
        self.fields = fields
        self.lookups = lookups
        self.today = today or timezone.localdate()
        self.is_subject = record_fields is None
        self.labels = {f["name"]: f.get("label", f["name"]) for f in record_fields or []}
        self.columns = source_columns(fields)
        self.types: dict[str, str] = {}
        self.rules: list[dict[str, Any]] = []
        for f in record_fields or []:
            target = f"data.{f['name']}"
            ftype = f.get("type", "text")
            self.types[target] = ftype
            if f.get("required"):
                self.rules.append({"rule": "required", "field": target})
            if ftype == "code" and f.get("dictionary"):
                self.rules.append({"rule": "dictionary", "field": target, "dictionary": f["dictionary"]})
        mapped = {f["target"] for f in fields}
        if not self.is_subject:
            self.types["occurred_on"] = "date"
            self.rules += [{"rule": "required", "field": "occurred_on"}, {"rule": "not_future", "field": "occurred_on"}]
        else:
            self.rules += [{"rule": "required", "field": "subject.uscc"}, {"rule": "required", "field": "subject.name"}]
            self.rules.append({"rule": "required", "field": "subject.region_code"})
        self.types["subject.established_on"] = "date"
        if "subject.uscc" in mapped:
            self.rules.append({"rule": "uscc", "field": "subject.uscc"})
        self.rules += rules
        self.headers_needed = sorted({f["source"] for f in fields if f.get("source")})

    def label(self, target: str) -> str:
        return column_label(target, self.columns, self.labels)

    def reason(self, rule: str, target: str, message: str, severity: str = BLOCK) -> Reason:
        return Reason(rule, target, message, severity, self.columns.get(target, ""))

    def subject_keys(self) -> str:
        """The columns that identify a subject, as a reason names them: 统一社会信用代码、许可证编号或企业名称."""
        names = [self.label(f"subject.{k}") for k in ("uscc", "licence_no", "name") if f"subject.{k}" in self.columns]
        names = names or [SUBJECT_FIELDS[k] for k in ("uscc", "licence_no", "name")]
        return "、".join(names[:-1]) + ("或" if len(names) > 1 else "") + names[-1]

    def _values(self, row: dict[str, Any], out: Prepared) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in self.fields:
            target = f["target"]
            value = row.get(f["source"]) if f.get("source") else None
            if isinstance(value, str):
                value = value.strip()
            try:
                for spec in f.get("transforms", []):
                    value = apply_transform(spec, value, row, self.lookups)
                if f.get("expr"):
                    value = apply_transform("expr:" + f["expr"], value, row, self.lookups)
            except TransformError as exc:
                out.reasons.append(self.reason("transform", target, f"{self.label(target)}：{exc}"))
                value = None
            if value is None and "default" in f:
                value = f["default"]
            values[target] = value
        return values

    def _coerce(self, target: str, value: Any, out: Prepared) -> Any:
        if value is None or value == "":
            return None
        ftype = self.types.get(target, "text")
        label = self.label(target)
        try:
            if ftype == "date":
                return parse_date(value)
            if ftype == "integer":
                d = parse_decimal(value)
                if d != d.to_integral_value():
                    raise TransformError(f"“{value}”不是整数")
                return int(d)
            if ftype == "decimal":
                return float(parse_decimal(value))
            if ftype == "boolean":
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text in TRUE_WORDS:
                    return True
                if text in FALSE_WORDS:
                    return False
                raise TransformError(f"“{value}”应为是/否")
        except TransformError as exc:
            out.reasons.append(self.reason("type", target, f"{label}：{exc}"))
            return None
        if target in ("subject.uscc", "subject.licence_no", "subject.region_code", "subject.industry_code"):
            return normalize_code(str(value))
        if target == "subject.name":
            return standard_name(str(value))
        if isinstance(value, str):
            return clean_text(value)
        return value

    def prepare(self, row: dict[str, Any]) -> Prepared:
        out = Prepared()
        raw = self._values(row, out)
        failed = {r.field for r in out.reasons}
        values = {t: (None if t in failed else self._coerce(t, v, out)) for t, v in raw.items()}
        for rule in self.rules:
            self._check(rule, values, out, failed | {r.field for r in out.reasons if r.rule == "type"})
        for target, value in values.items():
            kind, _, name = target.partition(".")
            if kind == "subject":
                out.subject[name] = value
            elif kind == "data":
                out.data[name] = value.isoformat() if isinstance(value, dt.date) else value
            elif target == "occurred_on":
                out.occurred_on = value
            elif target == "source_ref":
                out.source_ref = str(value or "")[:128]
            elif target == "summary":
                out.summary = str(value or "")[:255]
        if not (out.subject.get("uscc") or out.subject.get("licence_no") or out.subject.get("name")):
            keys = self.subject_keys().replace("或", "、")
            out.reasons.append(Reason("subject_key", "subject", f"无法识别主体：{keys}均为空"))
        for k, v in row.items():
            if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and len(v) > 1 and not _is_number(v):
                out.reasons.append(Reason("formula", "", f"{k}：单元格内容“{v[:20]}”以公式字符开头，导出时将按文本处理", WARN, str(k)))
                break
        if not out.source_ref:
            out.source_ref = "h:" + hashlib.sha1(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:40]
        return out

    def _check(self, rule: dict[str, Any], values: dict[str, Any], out: Prepared, failed: set[str]) -> None:
        name = rule["rule"]
        target = rule.get("field", "")
        if target in failed:
            return
        severity = rule.get("severity", BLOCK)
        value = values.get(target)
        label = self.label(target)

        def fail(message: str) -> None:
            out.reasons.append(self.reason(name, target, message, severity))

        if name == "required":
            if value in (None, ""):
                fail(rule.get("message") or f"{label}为必填项，不能为空")
            return
        if value in (None, "") and name != "gte":
            return
        if name == "uscc":
            for p in uscc_problems(str(value)):
                fail(f"{label}：{p}")
        elif name == "id_card":
            for p in id_card_problems(str(value)):
                fail(f"{label}：{p}")
        elif name == "phone":
            if not PHONE.match(str(value).replace(" ", "")):
                fail(f"{label}“{value}”不是有效的电话号码")
        elif name == "regex":
            if not re.fullmatch(rule["pattern"], str(value)):
                fail(rule.get("message") or f"{label}“{str(value)[:30]}”格式不符合要求")
        elif name == "dictionary":
            items = self.lookups(rule["dictionary"])
            if str(value) not in items:
                allowed = "、".join(list(items.values())[:8])
                fail(f"{label}“{value}”不在代码表中（可选：{allowed}）")
        elif name == "range":
            try:
                number = parse_decimal(value)
            except TransformError:
                fail(f"{label}“{value}”不是数字")
                return
            if "min" in rule and number < parse_decimal(rule["min"]):
                fail(f"{label}“{value}”小于下限{rule['min']}")
            if "max" in rule and number > parse_decimal(rule["max"]):
                fail(f"{label}“{value}”超过上限{rule['max']}")
        elif name == "length":
            if len(str(value)) > int(rule["max"]):
                fail(f"{label}长度超过{rule['max']}个字符")
        elif name == "not_future":
            if isinstance(value, dt.date) and value > self.today:
                fail(f"{label}“{value.isoformat()}”晚于今天，时间字段异常")
            elif isinstance(value, dt.date) and value.year < 1949:
                fail(f"{label}“{value.isoformat()}”早于1949年，时间字段异常")
        elif name == "gte":
            other = values.get(rule["other"])
            if value not in (None, "") and other not in (None, "") and rule["other"] not in failed:
                a, b = _comparable(value), _comparable(other)
                if a is not None and b is not None and a < b:
                    fail(rule.get("message") or f"{label}（{value}）不能早于{self.label(rule['other'])}（{other}）")
        else:
            fail(f"未知校验规则“{name}”")


def _is_number(v: str) -> bool:
    try:
        parse_decimal(v)
    except TransformError:
        return False
    return True


def _comparable(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v
    try:
        return parse_date(v)
    except TransformError:
        try:
            return parse_decimal(v)
        except TransformError:
            return None
