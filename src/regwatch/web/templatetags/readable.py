"""``{% load readable %}``: ``value|label`` (a code by its label) and ``value|readable`` (a dict or list as a table)."""

from __future__ import annotations

from typing import Any

from django import template

from regwatch.web.readable import Readable, code_label, label
from regwatch.web.readable import field_type as _field_type
from regwatch.web.registry import shown, value_at

register = template.Library()


@register.filter(name="label")
def label_filter(value: Any) -> Any:
    """Any declared code by its label (an indicator code by its name, a role by its Chinese name)."""
    return label(value)


@register.filter
def readable(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return Readable(value) if value else "—"
    return code_label(value)


@register.filter
def field_type(value: Any) -> Any:
    """A declared field's data type in Chinese (文本, 整数, 日期)."""
    return _field_type(value)


@register.filter
def field(obj: Any, name: str) -> Any:
    """``{{ obj|field:"dictionary" }}``: one field as the generic detail page shows it."""
    return shown(value_at(obj, name))
