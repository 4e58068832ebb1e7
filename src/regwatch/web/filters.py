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


# The widest integer a database column here holds (PostgreSQL bigint, SQLite INTEGER): a larger id or
# number in a filter is refused as a form error, never sent to the database (SQLite raises
# OverflowError, PostgreSQL "out of range", both a 500).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
OUT_OF_RANGE = "数值超出允许范围"


def fits_bigint(value: Any) -> bool:
    """False for an integer-looking value (text or number) a bigint column cannot hold."""
    text = str(value).strip()
    if text.lstrip("+-").isdecimal():
        return INT_MIN <= int(text) <= INT_MAX
    try:
        number = float(text)
    except ValueError:
        return True  # not a number at all: the field's own validation refuses it
    return number != number or INT_MIN <= number <= INT_MAX  # NaN is left to the field


def _integer_keyed(field: Any) -> bool:
    model = field.queryset.model
    target = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return target.get_internal_type() in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "ForeignKey",
    }


class BoundedModelChoiceField(django_filters.fields.ModelChoiceField):
    """An id too large for the column reads as any id that does not exist: "not a valid choice"."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and _integer_keyed(self) and not fits_bigint(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        if _integer_keyed(self):
            for v in value:
                if not fits_bigint(v):
                    raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": v})
        return super()._check_values(value)


class BoundedDecimalField(forms.DecimalField):
    """A number filter compares with integer columns mostly (ids, counts): keep it within bigint."""

    def to_python(self, value: Any) -> Any:
        result = super().to_python(value)
        if result is not None and not fits_bigint(result):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
        return result


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
            # Ids and numbers out of the database's range are form errors, not 500s.
            elif isinstance(f, django_filters.ModelMultipleChoiceFilter):
                f.field_class = BoundedModelMultipleChoiceField
            elif isinstance(f, django_filters.ModelChoiceFilter) and not issubclass(f.field_class, BoundedModelChoiceField):
                f.field_class = BoundedModelChoiceField
            elif isinstance(f, django_filters.NumberFilter) and f.field_class is forms.DecimalField:
                f.field_class = BoundedDecimalField
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
        return queryset.filter(self.search_condition(queryset, value)) if value else queryset

    def search_condition(self, queryset: models.QuerySet[Any], value: str) -> Q:
        """Rows whose search fields contain ``value``; a filter set may widen it (the audit trail's JSON)."""
        condition = Q()
        for f in self.search_fields:
            if "__" in f:
                condition |= Q(pk__in=queryset.model._default_manager.filter(**{f"{f}__icontains": value}).values("pk"))
            else:
                condition |= Q(**{f"{f}__icontains": value})
        return condition
