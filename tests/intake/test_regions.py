"""Batches, quarantined rows and quality measurements carry a region, so county staff are scoped.

A county data administrator's file of county subjects stays in the county (with its quarantined
rows and measurements); a file spanning two counties belongs to their common city and is not
shown to either county.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from hypothesis import given
from hypothesis import strategies as st

from regwatch.accounts.models import User
from regwatch.accounts.scope import visible
from regwatch.intake.models import Batch, QuarantinedRow, Source
from regwatch.intake.pipeline import ingest_file
from regwatch.intake.regions import common_path
from regwatch.quality.models import Measurement
from regwatch.subjects.models import Subject
from tests.conftest import login

from .conftest import inspection_rows, write_csv


@pytest.fixture
def county_admin(inspector: Any) -> Any:
    """A data administrator of the 西湖区 bureau (no all-region rights)."""
    user, _ = User.objects.get_or_create(username="xihu_data_admin", defaults={"organization": inspector.organization})
    user.groups.set([Group.objects.get(name="data_admin")])
    return user


def _county(user: Any, n: int, inside: bool = True) -> list[Any]:
    qs = Subject.objects.exclude(uscc=None).order_by("pk")
    prefix = user.organization.region.path
    qs = qs.filter(region__path__startswith=prefix) if inside else qs.exclude(region__path__startswith=prefix)
    return list(qs[:n])


def test_a_county_file_stays_in_the_county(tmp_path: Path, source: Source, county_admin: Any) -> None:
    rows = inspection_rows(_county(county_admin, 3), prefix="RG")
    rows.append(["91330100MA0000000X", "不存在的公司", "RG-x", "2025-03-01", "符合", "0", "张三", "西湖所"])
    batch = ingest_file(source, write_csv(tmp_path / "county.csv", rows), user=county_admin)
    batch.refresh_from_db()
    county = county_admin.organization.region
    assert batch.region == county
    assert batch.quarantined >= 1
    assert set(QuarantinedRow.objects.filter(batch=batch).values_list("region", flat=True)) == {county.pk}
    assert set(Measurement.objects.filter(batch=batch).values_list("region", flat=True)) <= {county.pk}
    client = login(county_admin)
    assert client.get(f"/intake-batches/{batch.pk}/").status_code == 200
    row = QuarantinedRow.objects.filter(batch=batch).first()
    assert row is not None and client.get(f"/intake-quarantine/{row.pk}/").status_code == 200


def test_a_file_across_counties_belongs_to_their_city_and_no_county_sees_it(
    tmp_path: Path, source: Source, county_admin: Any, admin: Any
) -> None:
    inside, outside = _county(county_admin, 2), _county(county_admin, 2, inside=False)
    batch = ingest_file(source, write_csv(tmp_path / "mixed.csv", inspection_rows(inside + outside, prefix="RX")), user=admin)
    batch.refresh_from_db()
    assert batch.region is not None
    assert all(s.region.path.startswith(batch.region.path) for s in inside + outside)
    county = county_admin.organization.region
    assert county.path.startswith(batch.region.path) and batch.region != county  # the city above, not the county
    assert not visible(Batch.objects.filter(pk=batch.pk), county_admin).exists()
    assert login(county_admin).get(f"/intake-batches/{batch.pk}/").status_code == 404
    assert visible(Batch.objects.filter(pk=batch.pk), admin).exists()


def test_the_data_migration_fills_existing_rows(tmp_path: Path, source: Source, county_admin: Any) -> None:
    batch = ingest_file(source, write_csv(tmp_path / "old.csv", inspection_rows(_county(county_admin, 2), prefix="RM")), user=county_admin)
    Batch.objects.filter(pk=batch.pk).update(region=None)
    QuarantinedRow.objects.filter(batch=batch).update(region=None)
    Measurement.objects.filter(batch=batch).update(region=None)
    importlib.import_module("regwatch.intake.migrations.0004_region_for_scope").fill_regions(django_apps, None)
    importlib.import_module("regwatch.quality.migrations.0002_region_for_scope").fill_regions(django_apps, None)
    batch.refresh_from_db()
    assert batch.region == county_admin.organization.region
    assert not Measurement.objects.filter(batch=batch).exclude(region=batch.region).exists()


segment = st.sampled_from(["330000", "330100", "330106", "330200", "330102", "110000"])
paths = st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts) + "/")


@given(st.lists(paths, min_size=1, max_size=6))
def test_common_path_is_the_longest_shared_prefix(items: list[str]) -> None:
    result = common_path(items)
    if result is None:
        assert len({p.split("/")[1] for p in items}) > 1
        return
    assert all(p.startswith(result) for p in items)
    longer = [result + seg + "/" for seg in {p[len(result) :].split("/")[0] for p in items if len(p) > len(result)}]
    assert not any(all(p.startswith(candidate) for p in items) for candidate in longer)
