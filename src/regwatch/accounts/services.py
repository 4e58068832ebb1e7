"""Password changes and access grants, with the permission and scope checks every caller gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from regwatch.audit.operations import key_operation
from regwatch.audit.services import record_access
from regwatch.web.services import require, require_in_scope

from . import lockout
from .forms import random_password
from .models import User

GRANT_PERM = "accounts.grant_access"
# What decides what a user may do and see: changing any of it is granting (or revoking) access.
SCOPE_FLAGS = ("scope_all", "is_superuser", "is_staff")
NOT_YOURSELF = "不能修改自己的角色、授权区划、所属机构或数据权限范围（三员分立），请由安全管理员办理"
NEEDS_SECURITY_ADMIN = "授予或调整角色、授权区划、所属机构和数据权限范围须由安全管理员办理（三员分立）"


@transaction.atomic
def reset_password(actor: Any, user: User, password: str = "") -> str:
    """Give ``user`` a temporary password (random unless typed) they must change; returns it once.

    The save goes through the audit signals like any change; the password hash is never snapshotted.
    """
    require(actor, "accounts.change_user")
    require_in_scope(actor, user)
    password = password or random_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


def change_own_password(user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


# Who may lift login delays and address blocks: whoever manages accounts (the system administrator,
# and the security administrator once that role holds the permission).
UNLOCK_PERMISSION = "accounts.change_user"
UNLOCK_ACTION = "login_unlock"


def unlock_login(actor: Any, user: User | None = None, ip: str = "") -> None:
    """Clear the login delays and CAPTCHA of ``user`` (every address) and/or the block of ``ip``; audited."""
    if actor is not None:  # None: the ``regwatch unlock`` command, run by whoever operates the server
        require(actor, UNLOCK_PERMISSION)
        if user is not None:
            require_in_scope(actor, user)
    if user is not None:
        lockout.unlock_username(user.username)
        record_access(UNLOCK_ACTION, str(user), username=user.username)
    if ip:
        lockout.unlock_ip(ip)
        record_access(UNLOCK_ACTION, f"IP {ip}", ip_address=ip)


def access_of(user: User | None) -> dict[str, Any]:
    """A user's access as stored: roles, extra regions, single permissions, organisation, scope flags."""
    if user is None:
        return {"groups": set(), "extra_regions": set(), "user_permissions": set(), **dict.fromkeys(SCOPE_FLAGS, False)}
    return {
        "groups": set(user.groups.values_list("pk", flat=True)),
        "extra_regions": set(user.extra_regions.values_list("pk", flat=True)),
        "user_permissions": set(user.user_permissions.values_list("pk", flat=True)),
        "organization": user.organization_id,
        **{flag: getattr(user, flag) for flag in SCOPE_FLAGS},
    }


def check_access_change(actor: Any, user: User, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Separation of duties for grants: never oneself, and only the security administrator.

    A new user's organisation is not a grant (creating accounts is the system administrator's
    job, and a user without roles sees nothing); moving an existing user to another one is.
    """
    changed = [k for k in after if k in before and before[k] != after[k]]
    if not changed:
        return
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        raise PermissionDenied(NOT_YOURSELF)
    if not actor.has_perm(GRANT_PERM):
        raise PermissionDenied(NEEDS_SECURITY_ADMIN)


@transaction.atomic
def save_user(actor: Any, user: User, save: Callable[[], Any]) -> None:
    """Save a user however the caller builds it (a form with its roles, an API serializer) and
    refuse, undoing the whole save, if it changed access the actor may not grant.

    Comparing what is stored before and after, rather than what a form posted, holds for every
    way of saving.  The save is one audit event on the user, its fields, roles and regions before
    and after together (``audit.operations``); it vanishes with the rollback.
    """
    original = None if user._state.adding else User.objects.get(pk=user.pk)
    before = access_of(original)
    with key_operation() as op:
        saved = save()  # an API create saves the serializer's own instance, not ``user``
        target = saved if isinstance(saved, User) else user
        op.about(target)
        check_access_change(actor, target, before, access_of(User.objects.get(pk=target.pk)))
