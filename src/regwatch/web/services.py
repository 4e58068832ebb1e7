"""Generic create/update/delete with permission and data-scope checks.

Views call these rather than ``form.save()`` so the checks hold for every caller
(UI, API, commands), not only the view that remembered them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from regwatch.accounts.scope import allows_object, visible

from .registry import ObjectType


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("您没有执行此操作的权限")


def require_in_scope(user: Any, obj: models.Model) -> None:
    if not allows_object(user, obj):
        raise PermissionDenied("该对象不在您的数据权限范围内")


def require_editable(otype: ObjectType) -> None:
    # Read-only types (audit trails, warnings, runs...) change only through their own services.
    if not otype.editable:
        raise PermissionDenied(f"{otype.title}为只读数据，不能直接新增、修改或删除")


@transaction.atomic
def save_object(user: Any, otype: ObjectType, obj: models.Model, save: Any = None) -> models.Model:
    require_editable(otype)
    require(user, otype.perm("add" if obj._state.adding else "change"))
    if not obj._state.adding:
        original = type(obj)._default_manager.get(pk=obj.pk)
        require_in_scope(user, original)
    require_in_scope(user, obj)
    if otype.save_with is not None:
        otype.save_with(user, obj, save or obj.save)
    else:
        (save or obj.save)()
    return obj


@transaction.atomic
def delete_object(user: Any, otype: ObjectType, obj: models.Model) -> None:
    require_editable(otype)
    require(user, otype.perm("delete"))
    require_in_scope(user, obj)
    obj.delete()


def unavailable_message(label: Any) -> str:
    """What a duplicate held outside the user's data scope reads as (see ``hidden_conflict``)."""
    return f"该{label}无法使用，请联系上级管理员核实"


def hidden_conflict(model: type[models.Model], values: dict[str, Any], instance_pk: Any, user: Any) -> bool:
    """True when the row that makes ``values`` a duplicate lies outside ``user``'s data scope.

    A unique value (a USCC) is unique across every region, so it cannot be given to a second subject
    whatever the scope.  Saying "a subject with this code already exists" would tell a county user
    that the code belongs to a subject elsewhere; the forms and the API therefore answer a duplicate
    the user cannot see with a neutral "cannot be used, ask your superior" (``unavailable_message``),
    naming neither the subject nor its region.  A duplicate the user can see keeps the plain
    "already exists" message, which reveals nothing they could not look up."""
    rows = model._default_manager.filter(**values)
    if instance_pk is not None:
        rows = rows.exclude(pk=instance_pk)
    return not visible(rows, user).exists()
