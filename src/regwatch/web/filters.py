"""The filter set base shared by UI lists and API lists: keyword search plus field filters."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db import models
from django.db.models import Q


class SearchFilterSet(django_filters.FilterSet):
    """``q`` searches ``search_fields``; a related path searches through a subquery so rows never repeat."""

    search_fields: ClassVar[tuple[str, ...]] = ()
    q = django_filters.CharFilter(method="search", label="关键字")

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
