"""Quality rules measured on each batch, the gate, scores and the monthly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regwatch.intake.models import Batch, Source
from regwatch.intake.pipeline import ingest_file
from regwatch.quality.models import Measurement, QualityRule
from regwatch.quality.services import monthly_report, scores
from tests.intake.conftest import write_csv

HEADER = ["统一社会信用代码", "当事人名称", "经营地址", "法定代表人", "处罚决定书文号", "处罚决定日期", "处罚种类", "罚没金额（万元）"]


def _penalties(subjects: list[Any], prefix: str) -> list[list[str]]:
    return [
        [s.uscc, s.name, s.address, s.legal_representative, f"{prefix}-{i}", "2025-04-01", "罚款", "0.5"] for i, s in enumerate(subjects)
    ]


def test_rules_come_from_the_pack_in_all_six_dimensions(world: None) -> None:
    dims = set(QualityRule.objects.values_list("dimension", flat=True))
    assert dims == {"completeness", "validity", "consistency", "uniqueness", "timeliness", "accuracy"}
    assert QualityRule.objects.filter(key_field=True).count() >= 4


def test_a_clean_batch_passes_and_a_bad_penalty_type_blocks(tmp_path: Path, subjects: list[Any], data_admin_client: Any) -> None:
    source = Source.objects.get(code="samr_penalty")
    batch = ingest_file(source, write_csv(tmp_path / "a.csv", _penalties(subjects, "QA"), header=HEADER))
    assert batch.quality_gate == "passed"
    m = Measurement.objects.get(batch=batch, rule__code="penalty_type_standard")
    assert (m.total, m.passed, m.ok) == (len(subjects), len(subjects), True)
    rows = _penalties(subjects, "QB")
    rows[0][6] = "批评教育"
    rows[1][5] = "2099-01-01"
    bad = ingest_file(source, write_csv(tmp_path / "b.csv", rows, header=HEADER))
    assert bad.quality_gate == "blocked"
    assert any("处罚类型不规范" in n for n in bad.notes)
    source.refresh_from_db()
    assert source.health == Source.Health.ERROR
    assert Measurement.objects.get(batch=bad, rule__code="penalty_time_normal").passed == len(subjects) - 1
    s = scores(bad.finished_at.date())
    assert any(name == "行政处罚" for name, _ in s["dataset"])
    report = monthly_report(source, bad.finished_at.date())
    worst = report["worst"][0]
    assert worst["value"] < 1 and not worst["ok"]
    page = data_admin_client.get("/quality/report/", {"source": "samr_penalty", "month": bad.finished_at.strftime("%Y-%m")})
    html = page.content.decode()
    assert page.status_code == 200 and "关键字段校验通过率" in html and "处罚类型不规范" in html


def test_key_field_pass_rate_against_the_99_percent_target(tmp_path: Path, subjects: list[Any]) -> None:
    source = Source.objects.get(code="samr_inspection")
    from tests.intake.conftest import inspection_rows

    rows = inspection_rows(subjects, prefix="KF")
    rows[0][0] = "91330100MA0000000X"
    batch = ingest_file(source, write_csv(tmp_path / "k.csv", rows))
    assert Batch.objects.get(pk=batch.pk).quality_gate == "alert"
    rate = scores(batch.finished_at.date(), source)["key_field_rate"]
    assert rate == (len(rows) - 1) / len(rows) and rate < 0.99
