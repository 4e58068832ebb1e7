"""Sources, mappings, batches and quarantined rows in the generic UI and API.

Sources and mappings are configuration.  Batches and quarantined rows carry the region of the
subjects they resolved to (``intake.regions``), so a county data administrator sees the county's.
"""

from __future__ import annotations

from typing import Any

from regwatch.web.readable import code_label, label, register_key_format, register_labels
from regwatch.web.registry import Column, Display, Link, ObjectType, register, register_display, register_link

from . import filtersets
from .mapping import BLOCK, RECORD_FIELDS, RULE_NAMES, SUBJECT_FIELDS, WARN
from .models import Batch, FieldMapping, QuarantinedRow, Source


def batch_context(batch: Batch, user: Any) -> dict[str, Any]:
    from .views import batch_context as ctx

    return ctx(batch, user)


def quarantine_context(row: QuarantinedRow, user: Any) -> dict[str, Any]:
    return {"raw_items": list(row.raw.items()), "can_fix": user.has_perm("intake.change_quarantinedrow")}


register(
    ObjectType(
        model=Source,
        slug="intake-sources",
        menu="数据归集",
        menu_order=40,
        columns=[
            Column("code", link=True),
            Column("name"),
            Column("owner"),
            Column("kind"),
            Column("frequency"),
            Column("status"),
            Column("health"),
            Column("last_received_at"),
            Column("locally_modified"),
        ],
        filterset=filtersets.SourceFilterSet,
        detail_fields=[
            "code",
            "name",
            "pack",
            "owner",
            "system",
            "kind",
            "frequency",
            "contact",
            "status",
            "health",
            "last_received_at",
            "description",
        ],
        form_fields=["code", "name", "owner", "system", "kind", "frequency", "contact", "status", "description"],
        api_fields=[
            "id",
            "code",
            "name",
            "pack",
            "owner",
            "system",
            "kind",
            "frequency",
            "contact",
            "status",
            "health",
            "last_received_at",
        ],
        api_read_only=("health", "last_received_at", "pack"),
    )
)

register(
    ObjectType(
        model=FieldMapping,
        slug="intake-mappings",
        menu="数据归集",
        menu_order=41,
        columns=[
            Column("source__name", "数据源", sort="source__code"),
            Column("target"),
            Column("version"),
            Column("is_current"),
            Column("created_at"),
            Column("locally_modified"),
        ],
        filterset=filtersets.FieldMappingFilterSet,
        select_related=("source",),
        detail_fields=["source", "target", "version", "is_current", "note", "created_at", "fields", "rules"],
        detail_template="intake/mapping_detail.html",
        detail_context=lambda mapping, user: {"can_edit": user.has_perm("intake.add_fieldmapping")},
        api_fields=["id", "source", "target", "version", "is_current", "fields", "rules", "note", "created_at"],
    )
)

register(
    ObjectType(
        model=Batch,
        slug="intake-batches",
        menu="数据归集",
        menu_order=42,
        columns=[
            Column("id", "批次", link=True),
            Column("source__name", "数据源", sort="source__code"),
            Column("filename"),
            Column("status"),
            Column("rows_read"),
            Column("accepted"),
            Column("merged"),
            Column("quarantined"),
            Column("fixed"),
            Column("region__full_name", "所属区划", sort="region__path"),
            Column("started_at"),
        ],
        filterset=filtersets.BatchFilterSet,
        select_related=("source", "job", "region"),
        detail_template="intake/batch_detail.html",
        detail_context=batch_context,
        detail_fields=[
            "source",
            "channel",
            "filename",
            "encoding_name",
            "mapping",
            "status",
            "created_by",
            "region",
            "started_at",
            "finished_at",
            "error",
        ],
        api_fields=[
            "id",
            "source",
            "mapping",
            "channel",
            "filename",
            "encoding",
            "status",
            "rows_read",
            "accepted",
            "merged",
            "quarantined",
            "updated",
            "unchanged",
            "warnings",
            "fixed",
            "rule_failures",
            "notes",
            "error",
            "started_at",
            "finished_at",
            "region",
        ],
    )
)

register(
    ObjectType(
        model=QuarantinedRow,
        slug="intake-quarantine",
        menu="数据归集",
        menu_order=43,
        columns=[
            Column("batch_id", "批次", sort="batch"),
            Column("row_number", link=True),
            Column("sheet"),
            Column("subject_name", sort=None),
            Column("subject_code", sort=None),
            Column("status"),
            Column("reason_text", sort=None),
            Column("region__full_name", "所属区划", sort="region__path"),
            Column("created_at"),
        ],
        filterset=filtersets.QuarantinedRowFilterSet,
        select_related=("batch__mapping", "region", "record__subject"),
        detail_template="intake/quarantine_detail.html",
        detail_context=quarantine_context,
        detail_fields=[
            "batch",
            "row_number",
            "sheet",
            "subject_name",
            "subject_code",
            "status",
            "reason_text",
            "region",
            "resubmitted_at",
            "record",
            "created_at",
        ],
        api_fields=[
            "id",
            "batch",
            "row_number",
            "sheet",
            "raw",
            "reasons",
            "status",
            "fixed_raw",
            "resubmitted_at",
            "record",
            "region",
            "created_at",
        ],
    )
)

register_link(Link("数据归集", "上传数据文件", "intake:upload", "intake.add_batch", 39))
register_link(Link("数据归集", "主体匹配复核", "intake:reviews", "intake.change_matchreview", 44))


TRANSFORM_NAMES = {
    "trim": "去除首尾空格",
    "half_width": "全角转半角",
    "full_width": "半角转全角",
    "upper": "转为大写",
    "name": "名称规范化",
    "text": "文本清洗",
    "date": "识别日期",
    "dict": "按字典转为代码",
    "unit": "金额换算为元",
    "regex": "按格式提取",
    "const": "固定值",
    "expr": "按公式计算",
}


def transform_text(specs: Any) -> str:
    """A mapping field's transforms in words: ``map:企业=<kind code>`` reads 企业→(the kind's name)."""
    out = []
    for spec in specs if isinstance(specs, list) else [specs]:
        name, _, arg = str(spec).partition(":")
        if name == "map":
            pairs = [p.split("=", 1) for p in arg.split(",") if "=" in p]
            out.append("对照：" + "，".join(f"{a}→{ {'true': '是', 'false': '否'}.get(b, code_label(b)) }" for a, b in pairs))
        elif name in ("unit", "const") and arg:
            out.append(f"{TRANSFORM_NAMES[name]}（{arg}）")
        else:
            out.append(TRANSFORM_NAMES.get(name, name))
    return "；".join(out)


def rule_name(code: Any) -> str:
    return RULE_NAMES.get(str(code), str(code))


def severity_name(code: Any) -> str:
    return {BLOCK: "阻断（隔离该行）", WARN: "警告（照常入库）"}.get(str(code), str(code))


def field_path(path: Any) -> str:
    """``subject.uscc`` / ``data.amount`` as 主体·统一社会信用代码 / 内容·罚没金额."""
    return "·".join(str(label(part)) for part in str(path).split("."))


def check_text(checks: Any) -> str:
    """Quality checks ``<rule>:<target>`` (intake rule keys) as 统一社会信用代码校验（主体·统一社会信用代码）."""
    out = []
    for key in checks if isinstance(checks, list) else [checks]:
        rule, _, target = str(key).partition(":")
        out.append(rule_name(rule) + (f"（{field_path(target)}）" if target and target != "subject" else ""))
    return "、".join(out)


# Mapping targets that are no model field (subject.region_code, occurred_on...) by their names
# wherever they appear: mapping pages, quality rules' fields, quarantine reasons.
register_labels(lambda: {k: v for k, v in {**SUBJECT_FIELDS, **RECORD_FIELDS}.items() if "_" in k})
register_key_format("checks", check_text)
register_display("checks", Display(check_text))  # a quality rule's own field
register_key_format("rule", rule_name)
register_key_format("severity", severity_name)
register_key_format("target", field_path)
register_key_format("field", field_path)
register_key_format("transforms", transform_text)
register_key_format("transform", transform_text)
