from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from regwatch.core.identifiers import is_valid_uscc
from regwatch.core.models import Dictionary
from regwatch.packs.loader import load_pack
from regwatch.packs.manifest import PackManifest, available_packs, read_manifest
from regwatch.packs.models import PackInstall, SyntheticTruth
from regwatch.subjects.models import Record, RecordType, Subject

SEED_000_RECORD_TYPES = {
    "licence",
    "routine_inspection",
    "special_inspection",
    "random_inspection",
    "sampling",
    "penalty",
    "complaint",
    "abnormal_operation",
    "rectification",
    "credit_repair",
}


def test_food_credit_declares_the_record_types_of_seed_000() -> None:
    assert "food_credit" in available_packs()
    assert {r.code for r in read_manifest("food_credit").record_types} == SEED_000_RECORD_TYPES


def test_loading_twice_changes_nothing(world: None) -> None:
    before = (Dictionary.objects.count(), RecordType.objects.count(), PackInstall.objects.get(name="food_credit").loaded_at)
    result = load_pack("food_credit")
    assert not result.changed
    assert (Dictionary.objects.count(), RecordType.objects.count(), PackInstall.objects.get(name="food_credit").loaded_at) == before


def test_a_changed_dictionary_gets_a_new_version_and_keeps_the_old(world: None) -> None:
    manifest = read_manifest("food_credit")
    data = manifest.model_dump()
    penalty = next(d for d in data["dictionaries"] if d["code"] == "food_credit.penalty_type")
    penalty["items"].append({"code": "credit_punish", "name": "信用惩戒", "parent": ""})
    data["version"] = "1.0.1"
    result = load_pack("food_credit", PackManifest.model_validate(data))
    assert result.changed and result.created["字典版本"] == 1
    versions = Dictionary.objects.filter(code="food_credit.penalty_type").order_by("version")
    assert [(d.version, d.is_current) for d in versions] == [(1, False), (2, True)]
    assert versions.last().items.filter(code="credit_punish").exists()  # type: ignore[union-attr]
    assert PackInstall.objects.get(name="food_credit").version == "1.0.1"


def test_manifest_typos_are_refused_with_the_field_named() -> None:
    data = read_manifest("food_credit").model_dump()
    data["record_typs"] = data.pop("record_types")
    with pytest.raises(ValidationError) as err:
        PackManifest.model_validate(data)
    assert "record_typs" in str(err.value) and "record_types" in str(err.value)


def test_duplicate_record_type_codes_are_refused() -> None:
    data = read_manifest("food_credit").model_dump()
    data["record_types"].append(data["record_types"][0])
    with pytest.raises(ValidationError, match="记录类型编码重复"):
        PackManifest.model_validate(data)


def test_generated_subjects_look_real(world: None) -> None:
    subjects = list(Subject.objects.filter(pack="food_credit").select_related("region"))
    assert all(is_valid_uscc(s.uscc or "") for s in subjects)
    assert len({s.uscc for s in subjects}) == len(subjects)
    assert all(s.region.level == "grid" for s in subjects)
    assert all(s.address.startswith(s.region.parent.parent.full_name) for s in subjects)  # type: ignore[union-attr]
    assert all(2 <= len(s.legal_representative) <= 3 for s in subjects)
    food = Record.objects.filter(subject__pack="food_credit")
    years = set(food.values_list("occurred_on__year", flat=True))
    assert {2022, 2023, 2024, 2025, 2026} <= years
    assert set(food.values_list("record_type__code", flat=True).distinct()) == SEED_000_RECORD_TYPES


def _spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        result = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                result[order[k]] = (i + j) / 2
            i = j + 1
        return result

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    return cov / (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5


def test_latent_risk_drives_adverse_records(world: None) -> None:
    adverse = {"penalty", "complaint", "abnormal_operation"}
    truth = {t.subject_id: t.latent_risk for t in SyntheticTruth.objects.filter(subject__pack="food_credit")}
    counts = dict.fromkeys(truth, 0)
    for subject_id in Record.objects.filter(record_type__code__in=adverse).values_list("subject_id", flat=True):
        counts[subject_id] += 1
    ids = sorted(truth)
    assert _spearman([truth[i] for i in ids], [counts[i] for i in ids]) > 0.5


def test_generation_is_deterministic_and_rerun_adds_nothing(world: None) -> None:
    from regwatch.packs.generate import generate_pack_data

    before = (Subject.objects.count(), Record.objects.count())
    counts = generate_pack_data("food_credit", 300, seed=7, today=dt.date(2026, 11, 1))
    assert counts == {"subjects": 0, "records": 0, "skipped": 300}
    again = generate_pack_data("eco_watch", 120, seed=11, today=dt.date(2026, 11, 1))  # projects have no USCC: keyed by approval no.
    assert again == {"subjects": 0, "records": 0, "skipped": 120}
    assert (Subject.objects.count(), Record.objects.count()) == before


def test_records_know_when_they_became_known(world: None) -> None:
    late = 0
    for occurred, known in Record.objects.values_list("occurred_on", "known_at"):
        assert known.date() >= occurred
        late += (known.date() - occurred).days > 45
    assert late > 0  # some data arrives late: grading as of a date must not see it early


def test_pack_cli_lists_and_loads(world: None, capsys: Any) -> None:
    from django.core.management import call_command

    call_command("pack", "list")
    listed = capsys.readouterr().out
    assert "food_credit" in listed and "eco_watch" in listed  # the test pack is found through REGWATCH_PACK_DIRS
    call_command("pack", "load", "food_credit")
    assert "已是最新" in capsys.readouterr().out
