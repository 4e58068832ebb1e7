"""The filter set base shared by UI lists and API lists: keyword search plus field filters."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import models
from django.db.models import Q

from .registry import DISPLAYS

TRUE, FALSE = {"true", "True", "1"}, {"false", "False", "0"}


class StrictBooleanField(forms.Field):
    """Yes/no/any, refusing anything else (django's NullBoolean quietly reads garbage as "any")."""

    widget = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value is True or value in TRUE:
            return True
        if value is False or value in FALSE:
            return False
        raise forms.ValidationError("应为 true 或 false", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DateRangeField(django_filters.fields.DateRangeField):
    """Dates a regulator could mean; year 1 or 9999 overflows time-zone conversion."""

    def clean(self, value: Any) -> Any:
        result = super().clean(value)
        for bound in (result.start, result.stop) if result else ():
            if bound is not None and not 1900 <= bound.year <= 2999:
                raise forms.ValidationError("日期应在1900年至2999年之间", code="out_of_range")
        return result


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = DateRangeField


class SearchFilterSet(django_filters.FilterSet):
    """``q`` searches ``search_fields``; a related path searches through a subquery so rows never repeat."""

    FILTER_DEFAULTS = {**django_filters.FilterSet.FILTER_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}

    search_fields: ClassVar[tuple[str, ...]] = ()
    q = django_filters.CharFilter(method="search", label="关键字")

    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        filters = super().get_filters()
        for f in filters.values():
            # Declared BooleanFilters too, not only generated ones: garbage must not mean "any".
            if isinstance(f, django_filters.BooleanFilter):
                f.field_class = StrictBooleanField
        return filters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per instance, not in get_filters: the class is built before the apps register their displays.
        for name, f in list(self.filters.items()):
            display = DISPLAYS.get(name)
            if display is not None and display.choices is not None and type(f) is django_filters.CharFilter:
                # A code field with registered labels (业务包) filters by a dropdown of those labels.
                choice = django_filters.ChoiceFilter(field_name=f.field_name, label=f.label, choices=display.choices, empty_label="全部")
                choice.parent = self
                self.filters[name] = choice

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for f in self.search_fields:
            if "__" in f:
                condition |= Q(pk__in=queryset.model._default_manager.filter(**{f"{f}__icontains": value}).values("pk"))
            else:
                condition |= Q(**{f"{f}__icontains": value})
        return queryset.filter(condition)
