from __future__ import annotations

from typing import Any

import django_filters

from regwatch.web.filters import SearchFilterSet
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, ObjectType, register

from . import lockout, otp
from .forms import UserForm
from .models import User
from .roles import ROLES
from .services import UNLOCK_ACTION, UNLOCK_PERMISSION, save_user


def _role_choices() -> list[tuple[str, str]]:
    return [(code, role.label) for code, role in ROLES.items()]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name")
    organization = django_filters.CharFilter(field_name="organization__code", label="机构代码")
    # Roles by their Chinese names; the value is the group's code, never shown.
    role = django_filters.ChoiceFilter(field_name="groups__name", label="角色", choices=_role_choices, distinct=True)

    class Meta:
        model = User
        fields = ["q", "organization", "role", "is_active", "must_change_password"]


def _detail_context(user: User, viewer: Any) -> dict[str, Any]:
    can_unlock = viewer.has_perm(UNLOCK_PERMISSION)
    return {
        "can_reset_password": viewer.has_perm("accounts.change_user"),
        "can_unlock": can_unlock,
        "login_limited": can_unlock and lockout.is_locked(user.username),
        "can_reset_otp": viewer.has_perm(otp.RESET_PERMISSION),
        "otp_enrolled": otp.device_of(user) is not None,
        "otp_obliged": otp.required_by_role(user),
    }


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
            Column("roles", sort=None),
            Column("scope_all"),
            Column("is_active"),
            Column("last_login"),
        ],
        filterset=UserFilterSet,
        select_related=("organization",),
        prefetch_related=("groups",),
        detail_fields=[
            "username",
            "display_name",
            "organization",
            "roles",
            "scope_all",
            "is_active",
            "must_change_password",
            "password_changed_at",
            "last_login",
            "date_joined",
        ],
        form_fields=["username", "display_name", "organization", "groups", "extra_regions", "scope_all", "is_active"],
        form_class=UserForm,
        save_with=save_user,  # roles, regions and scope flags only by the security administrator
        detail_template="accounts/user_detail.html",
        detail_context=_detail_context,
        api_fields=["id", "username", "display_name", "organization", "is_active"],
    )
)


register_labels(lambda: {r.code: r.label for r in ROLES.values()})  # roles named in workflows and rules
register_labels(lambda: {UNLOCK_ACTION: "解除登录限制"})  # the access-log action of an unlock
register_labels(lambda: otp.ACTION_LABELS)  # the access-log actions of the second factor
