"""Structured values (dicts and lists kept in JSON fields) as an official reads them.

A dict becomes a two-column table, a list of dicts a table with one row each, a list of scalars a
sentence; every key and every code inside is shown by its label.  Labels come from the reference
tables every pack fills (any registered model with ``code`` and ``name``: record types, indicators,
rules, sources, dictionary items...) and from ``register_labels`` hooks of the apps that keep
codes elsewhere (roles, workflow states, record-type fields).  The framework names no pack code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

LabelSource = Callable[[], dict[str, str]]
LABEL_SOURCES: list[LabelSource] = []

# Keys common to the declarations packs write (calculation specs, rule params, field mappings).
KEY_LABELS = {
    "kind": "类型",
    "type": "类型",
    "name": "名称",
    "label": "名称",
    "title": "标题",
    "code": "编码",
    "field": "字段",
    "fields": "字段",
    "column": "来源列",
    "columns": "来源列",
    "target": "目标",
    "source": "来源",
    "required": "必填",
    "choices": "可选值",
    "dictionary": "字典",
    "transform": "转换",
    "transforms": "转换",
    "default": "默认值",
    "severity": "处理方式",
    "pattern": "格式",
    "message": "说明",
    "where": "条件",
    "op": "比较方式",
    "value": "值",
    "values": "取值",
    "equals": "等于",
    "attribute": "主体属性",
    "record_types": "记录类型",
    "record_type": "记录类型",
    "window": "时间窗口（天）",
    "window_days": "时间窗口（天）",
    "smooth": "平滑",
    "agg": "汇总方式",
    "min": "最小值",
    "max": "最大值",
    "threshold": "阈值",
    "count": "次数",
    "days": "天数",
    "levels": "等级",
    "level": "等级",
    "color": "颜色",
    "description": "说明",
    "weight": "权重",
    "cap": "上限",
    "indicator": "指标",
    "indicators": "指标",
    "unit": "单位",
    "total": "合计",
    "rows": "行数",
    "seconds": "秒",
    "latest": "最新数据",
    "expr": "计算式",
    "subject_kinds": "适用主体类型",
    "industries": "适用行业",
    "format": "格式",
    "encoding": "编码方式",
    "sheet": "工作表",
    "url": "地址",
    "schedule": "调度",
    "categories": "分类",
    "items": "评分项",
    "bins": "分档",
    "formula": "计分规则",
    "points": "分值",
    "base": "基础分",
    "missing": "无数据时",
    "from": "起",
    "to": "至",
    "floors": "底线规则",
    "when": "条件",
    "min_level": "最低等级",
    "initial": "初始状态",
    "states": "状态",
    "transitions": "办理动作",
    "roles": "角色",
    "effects": "效果",
    "deadline": "期限",
    "working_days": "工作日",
    "hours": "小时",
    "remind_before_hours": "提前提醒（小时）",
    "escalate_to": "超期上报",
    "final": "终态",
    "assignee_only": "限承办方",
    "attachments": "附件数",
    "write_record": "回写记录",
    "key": "键",
    "rule": "规则",
    "text": "文本",
    "version": "版本",
    "checks": "校验规则",
    "weights": "权重",
    "distribution": "分布",
    "total_seconds": "总耗时（秒）",
}
# Data types of declared fields (record types, catalog, workflow forms): framework words, not pack codes.
FIELD_TYPES = {
    "string": "字符串",
    "text": "文本",
    "integer": "整数",
    "int": "整数",
    "decimal": "小数",
    "number": "数值",
    "float": "小数",
    "date": "日期",
    "datetime": "日期时间",
    "boolean": "是/否",
    "bool": "是/否",
    "code": "代码",
    "choice": "选项",
    "org": "单位",
    "user": "人员",
    "file": "文件",
}
# Values that are source text (a points formula, an indicator expression) are told in words by the
# app that owns them: ``register_key_format("formula", describe)``.
KEY_FORMATS: dict[str, Callable[[Any], str]] = {}


def register_key_format(key: str, fmt: Callable[[Any], str]) -> None:
    KEY_FORMATS[key] = fmt


def field_type(value: Any) -> Any:
    return FIELD_TYPES.get(str(value), value)


KEY_FORMATS["type"] = field_type
OPS = {"eq": "等于", "ne": "不等于", "gt": "大于", "gte": "不小于", "ge": "不小于", "lt": "小于", "lte": "不大于", "le": "不大于",
       "in": "属于", "not_in": "不属于", "is_null": "为空", "not_null": "不为空", "contains": "包含"}  # fmt: skip


def register_labels(source: LabelSource) -> LabelSource:
    LABEL_SOURCES.append(source)
    _cache["version"] = None
    return source


CODE_SHAPE = re.compile(r"[a-z][a-z0-9]*(?:[_:][a-z0-9]+)+|[a-z]{3,}")


def _reference_labels() -> dict[str, str]:
    """``code → name`` of every registered model that has both (the reference tables packs fill),
    in one query, and every choice label."""
    from django.apps import apps

    from .registry import REGISTRY

    out: dict[str, str] = {}
    for model in apps.get_models():  # choice labels, for codes kept in JSON or in plain fields
        for f in model._meta.concrete_fields:
            out.update({str(k): str(v) for k, v in f.flatchoices if isinstance(k, str) and k})
    tables = [
        o.model._default_manager.order_by().values_list("code", "name")
        for o in REGISTRY.values()
        if {"code", "name"} <= {f.name for f in o.model._meta.concrete_fields}
        and isinstance(o.model._meta.get_field("code"), models.CharField)
        and isinstance(o.model._meta.get_field("name"), models.CharField)
    ]
    if tables:
        rows = tables[0].union(*tables[1:], all=True) if len(tables) > 1 else tables[0]
        out.update({c: n for c, n in rows if c and n and CODE_SHAPE.fullmatch(c)})
    return out


VERSION_KEY = "web:labels:version"
_cache: dict[str, Any] = {"version": None, "labels": {}}


def labels() -> dict[str, str]:
    """Every code's label, kept per process until a code or name changes anywhere.

    A change bumps a version in the shared cache when its transaction commits, so every process
    (web workers, the task worker) rebuilds its map on its next look-up; a page costs one cache read.
    """
    version = cache.get(VERSION_KEY, 0)
    if _cache["version"] != version:
        out = _reference_labels()
        for source in LABEL_SOURCES:
            out.update(source())
        _cache.update(version=version, labels=out)
    return _cache["labels"]  # type: ignore[no-any-return]


def forget_labels() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    _cache["version"] = None


def forget_on_change(sender: Any, **kwargs: Any) -> None:
    """Labels come from rows with a ``code`` (and a pack's title); one rebuild per transaction."""
    names = {f.name for f in sender._meta.concrete_fields}
    if "code" in names or {"title", "version"} <= names:  # a pack: name, title, version
        transaction.on_commit(forget_labels)


def label(code: Any) -> Any:
    """A code's label, or the value itself when it is not a code anyone declared."""
    if isinstance(code, str):
        return labels().get(code, code)
    return code


def code_label(value: Any) -> Any:
    """A code-shaped string someone declared a label for (a record's source, a mapping's target
    record type, a dictionary's pack) as that label; anything else as it is."""
    if isinstance(value, str) and CODE_SHAPE.fullmatch(value):
        return labels().get(value, value)
    return value


def key_label(key: Any) -> str:
    return KEY_LABELS.get(str(key)) or str(label(str(key)))


def scalar(value: Any) -> str:
    from .registry import shown

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return str(OPS.get(value) or label(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(shown(value))


def as_text(value: Any) -> str:
    """The plain-text form (exports, messages): ``键：值；键：值`` and ``甲、乙``."""
    if isinstance(value, dict):
        return "；".join(f"{key_label(k)}：{KEY_FORMATS[k](v) if k in KEY_FORMATS else as_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(as_text(v) for v in value) or "—"
    return scalar(value)


def cell(row: dict[str, Any], key: str) -> SafeString:
    """One value of a declaration; the ``name``/``code`` of an entry that has a label is its identifier."""
    value = row.get(key)
    if key in KEY_FORMATS and value not in (None, ""):
        return format_html("{}", KEY_FORMATS[key](value))
    if key in ("name", "code") and isinstance(value, str) and ("label" in row or ("name" in row and key == "code")):
        return format_html('<span translate="no">{}</span>', value)
    return as_html(value)


def as_html(value: Any) -> SafeString:
    if isinstance(value, dict):
        if not value:
            return mark_safe("—")
        rows = format_html_join(
            "",
            '<tr><th class="fw-normal text-secondary">{}</th><td>{}</td></tr>',
            ((key_label(k), cell(value, k)) for k, v in value.items()),
        )
        return format_html('<table class="table table-sm table-borderless mb-0 readable">{}</table>', rows)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = format_html_join("", "<th>{}</th>", ((key_label(k),) for k in keys))
            body = format_html_join(
                "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell(v, k),) for k in keys)),) for v in value)
            )
            return format_html(
                '<table class="table table-sm mb-0 readable"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
            )
        return format_html("{}", as_text(value))
    return format_html("{}", scalar(value))


class Readable(str):
    """A dict or list: a sentence as text (exports, sorting, the short-cell test), a table in a template.

    Django's templates escape a ``str`` through its ``__html__``, so the table needs no filter.
    """

    structured: Any

    def __new__(cls, value: Any) -> Readable:
        obj = super().__new__(cls, as_text(value))
        obj.structured = value
        return obj

    def __html__(self) -> str:
        return str(as_html(self.structured))


class Identifier(str):
    """A value that is itself an identifier (a code in its own 编码 column, a login name, a number).

    Shown as it is, and marked ``translate="no"`` (the HTML way to say "not words"), which is also
    how the raw-value test tells it from a code shown instead of a label.
    """

    def __html__(self) -> str:
        return str(format_html('<span translate="no">{}</span>', str(self)))
