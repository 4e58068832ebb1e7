from __future__ import annotations

import django_filters

from regwatch.web.filters import SearchFilterSet
from regwatch.web.registry import Column, ObjectType, register

from .models import Dataset, DatasetField, Sensitivity, Sharing


class DatasetFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "definition", "owner", "sources", "dataset_fields__label", "dataset_fields__source_columns")
    sensitivity = django_filters.ChoiceFilter(choices=Sensitivity.choices, label="敏感级别")
    sharing = django_filters.ChoiceFilter(choices=Sharing.choices, label="共享级别")

    class Meta:
        model = Dataset
        fields = ["q", "category", "sensitivity", "sharing"]


class DatasetFieldFilterSet(SearchFilterSet):
    search_fields = ("name", "label", "definition", "source_columns", "dataset__name")

    class Meta:
        model = DatasetField
        fields = ["q", "dataset", "sensitivity", "required"]


def _fields(dataset: Dataset, user: object) -> dict[str, object]:
    return {"catalog_fields": dataset.dataset_fields.all()}


register(
    ObjectType(
        model=Dataset,
        slug="catalog-datasets",
        menu="数据归集",
        menu_order=48,
        columns=[
            Column("name", link=True),
            Column("code"),
            Column("category"),
            Column("owner", sort=None),
            Column("frequency", sort=None),
            Column("sensitivity"),
            Column("sharing"),
        ],
        filterset=DatasetFilterSet,
        detail_template="catalog/dataset_detail.html",
        detail_context=_fields,
        detail_fields=["code", "name", "category", "definition", "owner", "frequency", "sources", "sensitivity", "sharing", "updated_at"],
        form_fields=["name", "category", "definition", "owner", "frequency", "sensitivity", "sharing"],
        api_fields=[
            "id",
            "code",
            "name",
            "pack",
            "category",
            "definition",
            "owner",
            "frequency",
            "sources",
            "sensitivity",
            "sharing",
            "updated_at",
        ],
    )
)

register(
    ObjectType(
        model=DatasetField,
        slug="catalog-fields",
        menu="数据归集",
        menu_order=49,
        columns=[
            Column("dataset__name", "数据集", sort="dataset__code"),
            Column("label", link=True),
            Column("name"),
            Column("type"),
            Column("dictionary"),
            Column("required"),
            Column("source_columns", sort=None),
            Column("sensitivity"),
            Column("masking"),
        ],
        filterset=DatasetFieldFilterSet,
        select_related=("dataset",),
        form_fields=["label", "definition", "sensitivity", "masking"],
        api_fields=[
            "id",
            "dataset",
            "name",
            "label",
            "type",
            "dictionary",
            "required",
            "definition",
            "source_columns",
            "sensitivity",
            "masking",
        ],
    )
)
