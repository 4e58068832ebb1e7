"""One generic audit mechanism: model signals for every ``@audited`` model.

Field changes are one ``update`` event per save.  Many-to-many changes (a user's roles, extra
regions, permissions) are recorded from ``m2m_changed``, so the UI, the API and a Django shell all
leave the same trail without any caller remembering to: one event per ``add``/``remove``/``clear``
that changes something, with the full list of related names before and after.  A ``set()`` that
both revokes and grants is a revocation and a grant, two events; one that changes nothing leaves none.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .operations import record
from .registry import describe, is_audited
from .services import is_change, record_login, snapshot

_BEFORE = "_audit_before"
_M2M_BEFORE = "_audit_m2m_before"


def _pre_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender) or instance.pk is None or instance._state.adding:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()  # type: ignore[attr-defined]
    setattr(instance, _BEFORE, snapshot(old) if old is not None else None)


def _post_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, _BEFORE, None)
    after = snapshot(instance)
    if not created and not is_change(instance, before, after):
        return
    record("create" if created else "update", instance, before, after)


def _post_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if is_audited(sender):
        record("delete", instance, snapshot(instance), None)


def _audited_m2m(through: type, model: type) -> models.ManyToManyField[Any, Any] | None:
    if not is_audited(model):
        return None
    for f in model._meta.many_to_many:  # type: ignore[attr-defined]
        if f.remote_field.through is through:
            return f  # type: ignore[return-value]
    return None


def _names(owner: models.Model, field: models.ManyToManyField[Any, Any]) -> list[str]:
    return sorted(describe(o) for o in getattr(owner, field.name).all())


def _m2m_changed(sender: type, instance: Any, action: str, reverse: bool, model: type, pk_set: set[Any] | None, **kwargs: Any) -> None:
    phase, _, what = action.partition("_")
    if what not in ("add", "remove", "clear") or (pk_set is not None and not pk_set):
        return  # an add of what is already there, a remove of nothing
    # The audited side is the instance (user.groups.add) or, from the other end, the objects in
    # pk_set (group.user_set.add(user)): every affected audited object gets its own event.
    field = _audited_m2m(sender, model if reverse else type(instance))
    if field is None:
        return
    manager = model._default_manager  # type: ignore[attr-defined]
    if phase == "pre":
        if not reverse:
            owners = [instance]
        else:  # a clear from the other end affects whoever is related now
            owners = list(manager.filter(pk__in=pk_set) if pk_set is not None else manager.filter(**{field.name: instance}))
        setattr(instance, _M2M_BEFORE, {(field.name, o.pk): _names(o, field) for o in owners})
        return
    befores = getattr(instance, _M2M_BEFORE, {})
    pks = [pk for name, pk in befores if name == field.name]
    owners = [instance] if not reverse else list(manager.filter(pk__in=pks))
    for owner in owners:
        before = befores.pop((field.name, owner.pk), None)
        after = _names(owner, field)
        if before is not None and before != after:
            record("update", owner, {field.name: before}, {field.name: after})


# Sign-ins are access events, one each.  Django sends these for the login page, the test client and
# any other ``login()``; token API calls do not sign in (they are logged as API calls).  Only the
# username of a failure is kept: Django hands the credentials over with the password masked, and
# it is never read here.
def _logged_in(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    record_login(LOGIN, user)


def _logged_out(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_login(LOGOUT, user)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record_login(LOGIN_FAILED, None, str(credentials.get("username", ""))[:150])


LOGIN, LOGOUT, LOGIN_FAILED = "login", "logout", "login_failed"
LOGIN_ACTIONS = {LOGIN: "登录", LOGOUT: "退出登录", LOGIN_FAILED: "登录失败"}


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="regwatch.audit.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="regwatch.audit.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="regwatch.audit.login_failed")
    pre_save.connect(_pre_save, dispatch_uid="regwatch.audit.pre_save")
    post_save.connect(_post_save, dispatch_uid="regwatch.audit.post_save")
    post_delete.connect(_post_delete, dispatch_uid="regwatch.audit.post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="regwatch.audit.m2m_changed")
