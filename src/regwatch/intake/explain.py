"""What the upload page tells a data administrator before and after a file.

``column_help`` explains the columns a mapping reads, in the file's own words: column name,
whether it must be filled, type and format, the allowed dictionary values by their labels and an
example.  ``quarantine_rows`` lists a batch's held-back rows with the subject they are about (the
matched subject, else what the file claimed) and every reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regwatch.core.dictionaries import code_names
from regwatch.core.identifiers import uscc_check_char
from regwatch.core.models import Region, RegionLevel
from regwatch.subjects.models import RecordType

from .mapping import column_label, label_of, source_columns
from .models import SUBJECT_TARGET, FieldMapping, QuarantinedRow

DATE_FORMAT = "日期 yyyy-mm-dd（也可 yyyy/mm/dd、yyyymmdd、yyyy年m月d日）"
TYPE_FORMATS = {"date": DATE_FORMAT, "integer": "整数", "decimal": "数字", "boolean": "是/否", "code": "代码表", "text": "文本"}
TARGET_FORMATS = {
    "subject.uscc": "统一社会信用代码（18位，含校验位）",
    "subject.region_code": "行政区划代码（6位数字）",
    "subject.industry_code": "国民经济行业代码（GB/T 4754）",
    "source_ref": "来源系统中的唯一编号（重复导入时据此识别同一条数据）",
}
EXAMPLE_USCC = "91330106MA27X8Y3Q" + uscc_check_char("91330106MA27X8Y3Q")
# Examples stay neutral: any pack's subjects (shops, polluting units, lenders) read them.
TARGET_EXAMPLES = {
    "subject.uscc": EXAMPLE_USCC,
    "subject.name": "某某科技有限公司",
    "subject.address": "某市某区某路100号",
    "subject.legal_representative": "张三",
    "subject.industry_code": "I6510",
}
TYPE_EXAMPLES = {"date": "2025-03-01", "integer": "2", "decimal": "1.5", "boolean": "否"}
MAX_ALLOWED = 15  # longer code lists are cut short here; the Excel template's 代码表 sheet has them all


@dataclass
class ColumnHelp:
    column: str
    fields: list[str] = field(default_factory=list)
    required: bool = False
    formats: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    more_allowed: int = 0
    example: str = ""

    @property
    def format(self) -> str:
        return "；".join(self.formats) or "文本"


def _record_fields(mapping: FieldMapping) -> dict[str, dict[str, Any]]:
    if mapping.target == SUBJECT_TARGET:
        return {}
    rt = RecordType.objects.filter(code=mapping.target).first()
    return {f["name"]: f for f in (rt.fields if rt else [])}


def required_targets(mapping: FieldMapping, record_fields: dict[str, dict[str, Any]]) -> set[str]:
    """The targets a row must fill (the same set the validation uses and the Excel template marks)."""
    required = {r["field"] for r in mapping.rules if r.get("rule") == "required" and r.get("severity", "block") == "block"}
    required |= {f"data.{n}" for n, f in record_fields.items() if f.get("required")}
    required |= {"subject.uscc", "subject.name", "subject.region_code"} if mapping.target == SUBJECT_TARGET else {"occurred_on"}
    return required


def column_help(mapping: FieldMapping) -> list[ColumnHelp]:
    """One entry per file column the mapping reads, in the mapping's order."""
    record_fields = _record_fields(mapping)
    labels = {n: f.get("label", n) for n, f in record_fields.items()}
    columns = source_columns(mapping.fields)
    required = required_targets(mapping, record_fields)
    dictionaries = {f["dictionary"] for f in record_fields.values() if f.get("dictionary")}
    dictionaries |= {t.split(":", 1)[1] for f in mapping.fields for t in f.get("transforms", []) if t.startswith("dict:")}
    names = code_names(dictionaries)
    out: dict[str, ColumnHelp] = {}
    for f in mapping.fields:
        column = f.get("source")
        if not column:
            continue  # a value computed from other columns (an expression or a constant): nothing to fill in
        target = f["target"]
        entry = out.setdefault(column, ColumnHelp(column))
        entry.fields.append(label_of(target, labels))
        if target in required and f.get("default") in (None, ""):
            entry.required = True
        _describe(entry, target, f, mapping.rules, record_fields, names, columns, labels)
    return list(out.values())


def _describe(
    entry: ColumnHelp,
    target: str,
    spec: dict[str, Any],
    rules: list[dict[str, Any]],
    record_fields: dict[str, dict[str, Any]],
    names: dict[str, dict[str, str]],
    columns: dict[str, str],
    labels: dict[str, str],
) -> None:
    kind, _, name = target.partition(".")
    ftype = record_fields.get(name, {}).get("type", "text") if kind == "data" else "text"
    if target in ("occurred_on", "subject.established_on"):
        ftype = "date"
    transforms = spec.get("transforms", [])
    dictionary = record_fields.get(name, {}).get("dictionary") if kind == "data" else None
    parts: list[str] = []
    allowed: list[str] = []
    for t in transforms:
        op, _, arg = t.partition(":")
        if op == "date":
            ftype = "date"
        elif op == "dict":
            dictionary = arg
        elif op == "unit":
            parts.append(f"数字，单位：{arg}")
        elif op == "map":
            allowed += [p.split("=", 1)[0] for p in arg.split(",") if "=" in p]
    if dictionary:
        allowed += list(names.get(dictionary, {}).values())
        parts.append("代码表，填写名称（或代码）")
    elif target in TARGET_FORMATS:
        parts.append(TARGET_FORMATS[target])
    elif ftype in TYPE_FORMATS and not any(p.startswith("数字") for p in parts):
        parts.append(TYPE_FORMATS[ftype])
    if ftype == "boolean":
        allowed += ["是", "否"]
    for rule in (r for r in rules if r.get("field") == target):
        parts += _rule_text(rule, columns, labels)
    for p in parts:
        if p not in entry.formats:
            entry.formats.append(p)
    for a in allowed:
        if a not in entry.allowed:
            entry.allowed.append(a)
    entry.more_allowed = max(0, len(entry.allowed) - MAX_ALLOWED)
    if not entry.example:
        entry.example = _example(target, ftype, allowed, spec)


def _rule_text(rule: dict[str, Any], columns: dict[str, str], labels: dict[str, str]) -> list[str]:
    name = rule["rule"]
    warn = "（仅提示）" if rule.get("severity") == "warn" else ""
    if name == "regex":
        return [(rule.get("message") or "须符合规定格式") + warn]
    if name == "range":
        low, high = rule.get("min"), rule.get("max")
        if low is not None and high is not None:
            return [f"取值 {low}～{high}{warn}"]
        return [f"不小于 {low}{warn}" if low is not None else f"不大于 {high}{warn}"]
    if name == "length":
        return [f"不超过 {rule['max']} 个字符{warn}"]
    if name == "not_future":
        return [f"不晚于今天{warn}"]
    if name == "gte":
        return [f"不早于“{column_label(rule['other'], columns, labels)}”{warn}"]
    if name == "phone":
        return [f"电话号码（手机或座机）{warn}"]
    if name == "id_card":
        return [f"身份证号码（18位，含校验位）{warn}"]
    if name == "uscc":
        return [f"统一社会信用代码（18位，含校验位）{warn}"]
    return []


def _example(target: str, ftype: str, allowed: list[str], spec: dict[str, Any]) -> str:
    if target == "subject.region_code":  # a county of the loaded region table
        return Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").values_list("code", flat=True).first() or ""
    if target in TARGET_EXAMPLES:
        return TARGET_EXAMPLES[target]
    if allowed:
        return allowed[0]
    if any(t == "unit:万元" for t in spec.get("transforms", [])):
        return "0.5"
    if ftype in TYPE_EXAMPLES:
        return TYPE_EXAMPLES[ftype]
    return ""


def subject_note(mapping: FieldMapping) -> str:
    """A record's subject is found by its codes or name; say which columns carry them."""
    if mapping.target == SUBJECT_TARGET:
        return ""
    columns = source_columns(mapping.fields)
    keys = [columns[f"subject.{k}"] for k in ("uscc", "licence_no", "name") if f"subject.{k}" in columns]
    if not keys:
        return ""
    return f"“{'”“'.join(keys)}”至少填写一项，用于匹配监管主体；同时填写地址、法定代表人时匹配更准确。"


def target_name(target: str) -> str:
    if target == SUBJECT_TARGET:
        return "主体登记"
    rt = RecordType.objects.filter(code=target).only("name").first()
    return rt.name if rt else target


# --- quarantined rows -------------------------------------------------------------------------


@dataclass
class HeldRow:
    row: QuarantinedRow
    name: str
    code: str
    matched: str  # how the subject shown was found: 已匹配 / 待确认 / 文件所填
    reasons: list[str]


def held_row(row: QuarantinedRow) -> HeldRow:
    reasons = [r.get("message", "") for r in row.reasons]
    review = getattr(row, "review", None) if row.status == QuarantinedRow.Status.REVIEW else None
    if review is not None:
        return HeldRow(row, review.candidate.name, review.candidate.uscc or "", "待确认", reasons)
    how = "已匹配" if row.record_id else "文件所填"
    return HeldRow(row, row.subject_name, row.subject_code, how, reasons)


def quarantine_rows(rows: Any, limit: int = 50) -> list[HeldRow]:
    qs = rows.select_related("batch__mapping", "record__subject", "review__candidate").order_by("sheet", "row_number", "pk")
    return [held_row(r) for r in qs[:limit]]


__all__ = ["ColumnHelp", "HeldRow", "column_help", "quarantine_rows", "subject_note", "target_name"]
