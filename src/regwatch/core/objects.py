from __future__ import annotations

from typing import Any

from regwatch.web.readable import label, register_labels
from regwatch.web.registry import Column, Display, ObjectType, register, register_display

from . import filtersets
from .models import DICTIONARY_KINDS, Dictionary, DictionaryItem, Organization, Region


def _children(region: Region, user: Any) -> dict[str, Any]:
    return {"children": region.children.all()[:200]}


register(
    ObjectType(
        model=Region,
        slug="regions",
        menu="基础数据",
        menu_order=80,
        columns=[Column("code"), Column("name"), Column("level"), Column("full_name", sort=None)],
        filterset=filtersets.RegionFilterSet,
        select_related=("parent",),
        detail_fields=["code", "name", "level", "parent", "full_name"],
        form_fields=["code", "name", "level", "parent"],
        api_fields=["id", "code", "name", "level", "parent", "full_name"],
    )
)

register(
    ObjectType(
        model=Organization,
        slug="organizations",
        menu="基础数据",
        menu_order=81,
        columns=[
            Column("code"),
            Column("name"),
            Column("kind"),
            Column("region__full_name", "所属区划", sort="region__code"),
            Column("parent__name", "上级机构", sort=None),
        ],
        filterset=filtersets.OrganizationFilterSet,
        select_related=("region", "parent"),
        detail_fields=["code", "name", "kind", "parent", "region", "contact", "phone"],
        form_fields=["code", "name", "kind", "parent", "region", "contact", "phone"],
        api_fields=["id", "code", "name", "kind", "parent", "region"],
    )
)

register(
    ObjectType(
        model=Dictionary,
        slug="dictionaries",
        menu="基础数据",
        menu_order=82,
        columns=[Column("code"), Column("name"), Column("kind"), Column("version"), Column("is_current"), Column("source")],
        filterset=filtersets.DictionaryFilterSet,
        detail_fields=["code", "name", "kind", "version", "is_current", "source", "description", "created_at"],
        form_fields=["code", "name", "kind", "source", "description"],
        api_read_only=("version", "is_current", "created_at"),
    )
)

register(
    ObjectType(
        model=DictionaryItem,
        slug="dictionary-items",
        menu="基础数据",
        menu_order=83,
        columns=[
            Column("dictionary__code", "字典编码", sort="dictionary__code"),
            Column("dictionary__version", "版本", sort=None),
            Column("code"),
            Column("name"),
            Column("parent_code"),
            Column("enabled"),
        ],
        filterset=filtersets.DictionaryItemFilterSet,
        select_related=("dictionary",),
        form_fields=["dictionary", "code", "name", "parent_code", "sort_order", "enabled"],
    )
)


def dictionary_names() -> dict[str, str]:
    """Code tables (``pack.name``) by their names, the newest version's."""
    return dict(Dictionary.objects.order_by("code", "version").values_list("code", "name"))


def dictionary_name(code: Any) -> Any:
    """A code table kept by its code (a catalog field's 代码表) by its name."""
    return label(code) if isinstance(code, str) else code


register_labels(dictionary_names)
register_labels(lambda: DICTIONARY_KINDS)
register_display("dictionary", Display(dictionary_name))
