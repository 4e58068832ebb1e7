"""Intake of files: encodings, formats, malformed input, idempotence and history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from regwatch.intake.models import Batch, QuarantinedRow, RecordLineage, RecordVersion, Source
from regwatch.intake.pipeline import ingest_file
from regwatch.packs.models import PackInstall
from regwatch.subjects.models import Record

from .conftest import HEADER, inspection_rows, write_csv


def assert_balanced(batch: Batch) -> None:
    assert batch.accepted + batch.merged + batch.quarantined == batch.rows_read, batch.__dict__


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_is_read_and_stored_with_lineage(encoding: str, tmp_path: Path, source: Source, subjects: list[Any]) -> None:
    path = write_csv(tmp_path / "a.csv", inspection_rows(subjects, prefix=f"E{encoding}"), encoding)
    batch = ingest_file(source, path)
    assert batch.status == Batch.Status.DONE
    assert (batch.rows_read, batch.accepted, batch.quarantined) == (len(subjects), len(subjects), 0)
    assert_balanced(batch)
    rec = Record.objects.get(source="samr_inspection", source_ref=f"E{encoding}-00001")
    assert rec.subject_id == subjects[1].pk
    assert rec.data["result"] == "pass" and rec.data["problems"] == 1
    lineage = RecordLineage.objects.get(record=rec)
    assert (lineage.batch_id, lineage.row_number, lineage.mapping_id, lineage.match_method) == (batch.pk, 3, batch.mapping_id, "uscc")
    if encoding.startswith("gb"):
        assert batch.encoding == "gb18030"


def test_reimport_changes_nothing_and_a_corrected_file_keeps_history(tmp_path: Path, source: Source, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="R")
    path = write_csv(tmp_path / "a.csv", rows)
    first = ingest_file(source, path)
    count = Record.objects.count()
    again = ingest_file(source, path)
    assert (again.accepted, again.merged, again.unchanged, again.updated) == (0, len(rows), len(rows), 0)
    assert Record.objects.count() == count
    rows[0][4] = "基本符合"
    fixed = ingest_file(source, write_csv(tmp_path / "b.csv", rows))
    assert (fixed.accepted, fixed.updated, fixed.unchanged) == (0, 1, len(rows) - 1)
    rec = Record.objects.get(source="samr_inspection", source_ref="R-00000")
    assert rec.data["result"] == "basic_pass"
    old = RecordVersion.objects.get(record=rec)
    assert old.data["result"] == "fail" and old.batch_id == fixed.pk
    assert RecordLineage.objects.get(record=rec).batch_id == fixed.pk
    for b in (first, again, fixed):
        assert_balanced(b)


def test_every_reason_is_kept_on_a_quarantined_row(tmp_path: Path, source: Source, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="Q", n=3)
    rows[1][0] = "91330100MA0000000X"  # bad check digit
    rows[1][3] = "2099-01-01"  # future
    rows[1][4] = "很好"  # not in dictionary
    rows[2][3] = ""  # missing date
    batch = ingest_file(source, write_csv(tmp_path / "q.csv", rows))
    assert (batch.accepted, batch.quarantined) == (1, 2)
    assert_balanced(batch)
    bad = QuarantinedRow.objects.get(batch=batch, row_number=3)
    text = bad.reason_text
    assert "校验码错误" in text and "晚于今天" in text and "不在代码表中" in text
    assert batch.rule_failures["uscc:subject.uscc"] == 1
    assert batch.rule_failures["required:occurred_on"] == 1


def test_malformed_csv_rows_are_quarantined_not_lost(tmp_path: Path, source: Source, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="M", n=6)
    text = ",".join(HEADER) + "\n"
    text += ",".join(rows[0]) + "\n"
    text += ",".join(rows[1]) + ",多余1,多余2\n"  # extra columns
    text += ",".join(rows[2][:4]) + "\n"  # missing columns
    text += ",".join([*rows[3][:1], "=cmd|' /C calc'!A0", *rows[3][2:]]) + "\n"  # injection string in a cell
    text += ",".join(rows[4]) + "\n" + ",".join(rows[4]) + "\n"  # duplicate row
    text += ",".join(rows[5][:3]) + ',"2025-01-0'  # truncated inside a quoted field
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    batch = ingest_file(source, path)
    assert batch.rows_read == 7
    assert_balanced(batch)
    reasons = {q.row_number: q.reason_text for q in QuarantinedRow.objects.filter(batch=batch)}
    assert "多于表头" in reasons[3]
    assert "少于表头" in reasons[4]
    assert any("截断" in r for r in reasons.values())
    injected = Record.objects.get(source="samr_inspection", source_ref="M-00003")
    assert "以公式字符开头" in RecordLineage.objects.get(record=injected).warnings[0]
    assert batch.merged == 1  # the duplicate row


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"\x00\x01\x02\xff\xfe\x00binary\x00", "二进制"),
    ],
)
def test_unreadable_csv_fails_the_batch_with_a_chinese_message(tmp_path: Path, source: Source, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    batch = ingest_file(source, path)
    assert batch.status == Batch.Status.FAILED and message in batch.error
    assert batch.rows_read == 0 and batch.balanced


def test_bad_excel_is_refused_clearly(tmp_path: Path, source: Source) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    batch = ingest_file(source, path)
    assert batch.status == Batch.Status.FAILED and "Excel" in batch.error


def test_excel_with_several_sheets(tmp_path: Path, source: Source, subjects: list[Any]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "一季度"
    ws.append(HEADER)
    for r in inspection_rows(subjects[:4], prefix="X1"):
        ws.append(r)
    ws2 = wb.create_sheet("二季度")
    ws2.append(HEADER)
    for r in inspection_rows(subjects[4:7], prefix="X2"):
        ws2.append(r)
    ws2.append([subjects[0].uscc, "", "X2-bad", "不是日期", "符合", 0, "", ""])
    wb.create_sheet("空表")
    path = tmp_path / "x.xlsx"
    wb.save(path)
    batch = ingest_file(source, path)
    assert (batch.rows_read, batch.accepted, batch.quarantined) == (8, 7, 1)
    assert_balanced(batch)
    bad = QuarantinedRow.objects.get(batch=batch)
    assert bad.sheet == "二季度" and bad.row_number == 5 and "不是可识别的日期" in bad.reason_text
    assert any("空表" in n for n in batch.notes)


def test_json_array_and_json_lines(tmp_path: Path, subjects: list[Any]) -> None:
    source = Source.objects.get(code="12315")
    items = [
        {
            "uscc": s.uscc,
            "name": s.name,
            "ref": f"J-{i}",
            "date": "2025-05-01",
            "channel": "12315平台",
            "type": "食品质量",
            "status": "已办结",
        }
        for i, s in enumerate(subjects[:3])
    ]
    items[2]["status"] = ""
    path = tmp_path / "a.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    batch = ingest_file(source, path)
    assert (batch.accepted, batch.quarantined) == (2, 1)
    assert "投诉状态缺失" in QuarantinedRow.objects.get(batch=batch).reason_text
    lines = tmp_path / "b.jsonl"
    lines.write_text(
        "\n".join(json.dumps({**it, "ref": "L" + it["ref"]}, ensure_ascii=False) for it in items[:2]) + '\n{"uscc": "9133', "utf-8"
    )
    batch = ingest_file(source, lines)
    assert (batch.rows_read, batch.accepted, batch.quarantined) == (3, 2, 1)
    assert_balanced(batch)


def test_registration_creates_and_updates_subjects_and_quarantines_unknown_regions(tmp_path: Path, world: None) -> None:
    from regwatch.core.identifiers import uscc_check_char
    from regwatch.subjects.models import Subject

    source = Source.objects.get(code="samr_registry")
    first17 = "91330106MA2K00001"
    code = first17 + uscc_check_char(first17)
    header = ["统一社会信用代码", "企业名称", "区划代码", "主体类型", "经营地址", "法定代表人", "行业代码", "成立日期"]
    rows = [
        [code, "杭州新登记（西湖）餐饮有限公司", "330106", "企业", "杭州市西湖区文三路1号", "王五", "H621", "2024-01-02"],
        [code[:-1] + "0", "杭州未知区划食品有限公司", "999999", "企业", "", "", "", "2024-01-02"],
    ]
    batch = ingest_file(source, write_csv(tmp_path / "r.csv", rows, header=header))
    assert (batch.accepted, batch.quarantined) == (1, 1)
    subject = Subject.objects.get(uscc=code)
    assert subject.name == "杭州新登记（西湖）餐饮有限公司" and subject.region.code == "330106"
    rows = rows[:1]
    rows[0][4] = "杭州市西湖区文三路2号"
    batch = ingest_file(source, write_csv(tmp_path / "r2.csv", rows, header=header))
    assert (batch.merged, batch.updated) == (1, 1)
    subject.refresh_from_db()
    assert subject.address.endswith("2号")
    assert subject.intake_lineage.get(field="address").batch_id == batch.pk


def test_subject_kind_comes_from_the_mapping_or_the_packs_declared_default(world: None) -> None:
    from regwatch.core.identifiers import uscc_check_char
    from regwatch.intake.packsection import save_mapping
    from regwatch.intake.pipeline import ingest_records
    from regwatch.subjects.models import Subject, SubjectKind

    def code(n: int) -> str:
        first17 = f"91330106MA2K{n:05d}"
        return first17 + uscc_check_char(first17)

    fields = [
        {"target": "subject.uscc", "source": "uscc"},
        {"target": "subject.name", "source": "name"},
        {"target": "subject.region_code", "source": "region"},
        {"target": "subject.kind", "source": "kind"},
    ]
    source = Source.objects.create(code="kind_test", name="主体类型测试", pack="")
    save_mapping(source, "subject", fields, [])
    other = SubjectKind.objects.create(code="other_pack_kind", name="他包主体", pack="other_pack")
    rows = [
        {"uscc": code(11), "name": "杭州甲乙餐饮有限公司", "region": "330106", "kind": ""},
        {"uscc": code(12), "name": "杭州丙丁餐饮有限公司", "region": "330106", "kind": other.code},
    ]
    batch = ingest_records(source, rows)  # a source outside any pack: no default to fall back on
    assert (batch.accepted, batch.quarantined) == (1, 1)
    reasons = QuarantinedRow.objects.get(batch=batch).reasons
    assert [r["message"] for r in reasons] == ["未能确定主体类型：映射未给出主体类型，业务包也未声明默认主体类型"]

    Source.objects.filter(pk=source.pk).update(pack="food_credit")
    source.refresh_from_db()
    batch = ingest_records(source, rows)
    assert (batch.accepted, batch.merged, batch.quarantined) == (1, 0, 1)
    declared = PackInstall.objects.get(name="food_credit").manifest["default_kind"]
    assert Subject.objects.get(uscc=code(11)).kind.code == declared
    reasons = QuarantinedRow.objects.get(batch=batch).reasons
    assert [r["message"] for r in reasons] == ["主体类型“他包主体”不属于本数据源的业务包"]
