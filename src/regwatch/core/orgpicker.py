"""One organisation picker for every form that hands work to an organisation.

The caller decides which organisations may be chosen (work orders: its own region or, with
cross-region rights, all).  This module only shows them as a tree by region — one option group
per county (or per city for city-level offices) — names an organisation twice-used in the list
with its district ("东湖街道市场监管所（西湖区）"), and finds the organisation responsible for a
region (the jurisdiction), which forms pre-select.  ``core/_org_picker.html`` renders it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Count

from .models import Organization, Region

# Levels under which an organisation is grouped: its county, else its own region (a city).
_GROUP_LEVELS = ("county", "city", "province")


def pickable(queryset: Any) -> Any:
    """The query every picker list starts from: regions up to the province loaded, tree order."""
    return queryset.select_related("region__parent__parent__parent").order_by("path")


def _district(region: Region) -> Region:
    """The county above (or at) ``region``; a city-level region stands for itself."""
    r: Region | None = region
    while r is not None:
        if r.level in _GROUP_LEVELS:
            return r
        r = r.parent
    return region


def ambiguous_names() -> set[str]:
    """Names more than one organisation bears (东湖街道市场监管所 in two counties)."""
    return set(Organization.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).values_list("name", flat=True))


def labels(orgs: Sequence[Organization], ambiguous: set[str] | None = None) -> dict[int, str]:
    """Each organisation's name, with its district when another organisation has the same name.

    Any other one, listed or not: a reader who knows two offices of that name cannot tell which is meant.
    """
    if ambiguous is None:
        ambiguous = {name for name, n in Counter(o.name for o in orgs).items() if n > 1} | ambiguous_names()
    return {o.pk: f"{o.name}（{_district(o.region).name}）" if o.name in ambiguous else o.name for o in orgs}


@dataclass
class OrgPicker:
    """What the template needs: option groups of (id, label), the chosen id, the field's errors."""

    name: str
    groups: list[tuple[str, list[tuple[int, str]]]]
    selected: str = ""
    errors: list[str] = field(default_factory=list)
    required: bool = False
    label: str = ""

    @property
    def count(self) -> int:
        return sum(len(options) for _, options in self.groups)


def grouped(orgs: Iterable[Organization], ambiguous: set[str] | None = None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Option groups by region path (province → city → county), in tree order."""
    orgs = list(orgs)
    named = labels(orgs, ambiguous)
    groups: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    for o in sorted(orgs, key=lambda o: (_district(o.region).path, o.path)):
        district = _district(o.region)
        groups.setdefault(district.path, (district.full_name or district.name, []))[1].append((o.pk, named[o.pk]))
    return [groups[k] for k in sorted(groups)]


def jurisdiction(region: Region | None, orgs: Iterable[Organization]) -> Organization | None:
    """The organisation responsible for ``region``: the nearest one up the region tree.

    At one region, a bureau or street office comes before an internal department (path order).
    """
    by_region: dict[int, Organization] = {}
    for o in sorted(orgs, key=lambda o: (o.kind == Organization.Kind.DEPARTMENT, o.path)):
        by_region.setdefault(o.region_id, o)
    r = region
    while r is not None:
        if r.pk in by_region:
            return by_region[r.pk]
        r = r.parent
    return None


def picker(
    name: str,
    orgs: Iterable[Organization],
    *,
    selected: Any = None,
    errors: Sequence[str] = (),
    required: bool = False,
    label: str = "",
    ambiguous: set[str] | None = None,
) -> OrgPicker:
    """``ambiguous``: the names to qualify with a district, when the caller builds many pickers at once."""
    orgs = list(orgs)
    chosen = str(selected.pk if isinstance(selected, Organization) else selected or "")
    if chosen and not any(str(o.pk) == chosen for o in orgs):
        chosen = ""  # never pre-select what the list does not offer
    return OrgPicker(name, grouped(orgs, ambiguous), chosen, list(errors), required, label)


class OrgChoiceField(forms.ModelChoiceField):
    """A form field offering ``orgs`` as the grouped picker (set ``orgs`` after building the form)."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset if queryset is not None else Organization.objects.all(), **kwargs)
        self.widget.attrs.setdefault("data-org-picker", "")  # until set_orgs, the plain (ungrouped) choices of the queryset

    def set_orgs(self, orgs: Any) -> None:
        items = list(pickable(orgs)) if hasattr(orgs, "select_related") else list(orgs)
        self.queryset = Organization.objects.filter(pk__in=[o.pk for o in items])
        self.choices = [("", "请选择单位"), *grouped(items)]
