"""Data scope: the one place that decides which rows a user may see.

A model opts in by naming the path to its region in ``scope_region_field``
(``"region"`` for subjects, ``"subject__region"`` for records), or, for what belongs to one
person rather than to a region (a message in someone's inbox), the path to that user in
``scope_owner_field``: everyone, administrators included, sees only their own.  Every list,
detail, export, search and API query goes through ``visible`` — the generic
UI views and API viewsets call it, and services take the user for the same reason.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

from regwatch.core.models import Region

M = TypeVar("M", bound=models.Model)


def region_paths(user: Any) -> list[str] | None:
    """The region path prefixes a user sees; ``None`` means everything."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser or getattr(user, "scope_all", False):
        return None
    paths = []
    org = getattr(user, "organization", None)
    if org is not None:
        paths.append(org.region.path)
    paths.extend(r.path for r in user.extra_regions.all())
    return paths


def region_filter(user: Any) -> Q | None:
    paths = region_paths(user)
    if paths is None:
        return None
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return q


def is_scoped(model: type[models.Model]) -> bool:
    return bool(getattr(model, "scope_region_field", None) or getattr(model, "scope_owner_field", None))


def visible(qs: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    owner = getattr(qs.model, "scope_owner_field", None)
    if owner:
        return qs.filter(**{owner: user.pk}) if getattr(user, "is_authenticated", False) else qs.none()
    field = getattr(qs.model, "scope_region_field", None)
    if not field:
        return qs if getattr(user, "is_authenticated", False) else qs.none()
    rq = region_filter(user)
    if rq is None:
        return qs

    return qs.filter(**{f"{field}__in": Region.objects.filter(rq).values("pk")})


def region_of(obj: models.Model) -> Any:
    """The region an (unsaved) object belongs to, following ``scope_region_field``."""
    target: Any = obj
    for part in type(obj).scope_region_field.split("__"):  # type: ignore[attr-defined]
        target = getattr(target, part, None)
        if target is None:
            return None
    return target


def allows_object(user: Any, obj: models.Model) -> bool:
    """Whether ``user`` may hold ``obj`` in scope: used on writes, where the row may not exist yet."""
    if not is_scoped(type(obj)):
        return bool(getattr(user, "is_authenticated", False))
    owner = getattr(type(obj), "scope_owner_field", None)
    if owner:
        return getattr(user, "is_authenticated", False) and getattr(obj, f"{owner}_id", None) == user.pk
    paths = region_paths(user)
    if paths is None:
        return True
    region = region_of(obj)
    return region is not None and any(region.path.startswith(p) for p in paths)
