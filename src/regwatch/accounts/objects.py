from __future__ import annotations

import django_filters

from regwatch.web.filters import SearchFilterSet
from regwatch.web.registry import Column, ObjectType, register

from .models import User


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name")
    organization = django_filters.CharFilter(field_name="organization__code", label="机构代码")

    class Meta:
        model = User
        fields = ["q", "organization", "is_active"]


register(
    ObjectType(
        model=User,
        slug="users",
        menu="系统管理",
        menu_order=92,
        columns=[
            Column("username"),
            Column("display_name"),
            Column("organization__name", "所属机构", sort="organization__code"),
            Column("scope_all"),
            Column("is_active"),
            Column("last_login"),
        ],
        filterset=UserFilterSet,
        select_related=("organization",),
        detail_fields=["username", "display_name", "organization", "scope_all", "is_active", "last_login", "date_joined"],
        form_fields=["username", "display_name", "organization", "groups", "extra_regions", "scope_all", "is_active"],
        api_fields=["id", "username", "display_name", "organization", "is_active"],
    )
)
