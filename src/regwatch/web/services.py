"""Generic create/update/delete with permission and data-scope checks.

Views call these rather than ``form.save()`` so the checks hold for every caller
(UI, API, commands), not only the view that remembered them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from regwatch.accounts.scope import allows_object

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
