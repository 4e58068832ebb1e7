"""Upload, batch page, return-to-source file, fixing rows, match review and undo, push API and CLI."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from regwatch.intake.labelled import _typo
from regwatch.intake.models import Batch, MatchReview, MergeLog, QuarantinedRow, Source
from regwatch.intake.pipeline import ingest_file
from regwatch.subjects.models import Record

from .conftest import inspection_rows, write_csv


def test_upload_runs_the_batch_and_the_page_shows_counts_and_rule_failures(data_admin_client: Any, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="U", n=5)
    rows[2][3] = "2099-01-01"
    buf = io.StringIO()
    import csv

    w = csv.writer(buf)
    w.writerow(["统一社会信用代码", "企业名称", "检查编号", "检查日期", "检查结果", "发现问题数", "检查人员", "检查单位"])
    w.writerows(rows)
    upload = SimpleUploadedFile("检查.csv", buf.getvalue().encode("gbk"), content_type="text/csv")
    source = Source.objects.get(code="samr_inspection")
    response = data_admin_client.post("/intake/upload/", {"source": source.pk, "file": upload})
    assert response.status_code == 302
    batch = Batch.objects.latest("pk")
    assert (batch.rows_read, batch.accepted, batch.quarantined, batch.filename) == (5, 4, 1, "检查.csv")
    page = data_admin_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="job-' in html and "时间异常 · 检查日期" in html and "导出问题数据反馈" in html
    assert "发生日期" not in html  # the file's column, not the target field


def test_inspector_cannot_upload_or_see_quarantine(inspector_client: Any) -> None:
    assert inspector_client.get("/intake/upload/").status_code == 403
    assert inspector_client.get("/intake-quarantine/").status_code == 403


def test_return_to_source_file_lists_reasons_and_neutralises_formulas(tmp_path: Path, data_admin_client: Any, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="F", n=2)
    rows[0][1] = "=cmd|' /C calc'!A0"
    rows[0][3] = "2099-01-01"
    batch = ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "f.csv", rows))
    response = data_admin_client.get(f"/intake/batches/{batch.pk}/return.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["问题数据"]
    header = [c.value for c in ws[1]]
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert values["原行号"] == 2 and "晚于今天" in values["问题原因"]
    assert values["企业名称"] == "'=cmd|' /C calc'!A0"
    assert ws.max_row == 2


def test_fix_and_resubmit_counts_the_row_as_fixed(tmp_path: Path, data_admin_client: Any, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="FX", n=2)
    rows[1][4] = "很好"
    batch = ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "f.csv", rows))
    row = QuarantinedRow.objects.get(batch=batch)
    keys = list(row.raw)
    form = {f"f_{i}": ("" if row.raw[k] is None else row.raw[k]) for i, k in enumerate(keys)}
    form[f"f_{keys.index('检查结果')}"] = "还是很好"
    bad = data_admin_client.post(f"/intake/quarantine/{row.pk}/fix/", form)
    assert bad.status_code == 400 and "不在代码表中" in bad.content.decode()
    assert QuarantinedRow.objects.filter(batch=batch).count() == 1
    form[f"f_{keys.index('检查结果')}"] = "基本符合"
    assert data_admin_client.post(f"/intake/quarantine/{row.pk}/fix/", form).status_code == 302
    row.refresh_from_db()
    batch.refresh_from_db()
    assert row.status == QuarantinedRow.Status.FIXED and batch.fixed == 1
    assert Record.objects.get(source="samr_inspection", source_ref="FX-00001").data["result"] == "basic_pass"


def test_fuzzy_merge_is_recorded_and_can_be_undone(tmp_path: Path, data_admin_client: Any, subjects: list[Any]) -> None:
    s = subjects[2]
    rows = [["", "浙江省" + s.name, "FZ-1", "2025-02-02", "符合", "0", "李四", "所"]]
    batch = ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "z.csv", rows))
    assert batch.accepted == 1
    log = MergeLog.objects.get(batch=batch)
    assert log.subject_id == s.pk and log.method == "fuzzy" and log.explanation["features"][0]["feature"] == "名称"
    page = data_admin_client.get(f"/intake-batches/{batch.pk}/").content.decode()
    assert "名称地址相似，自动合并" in page and ">fuzzy<" not in page  # the method in words, not its code
    assert data_admin_client.post(f"/intake/merges/{log.pk}/undo/").status_code == 302
    assert not Record.objects.filter(source="samr_inspection", source_ref="FZ-1").exists()
    assert QuarantinedRow.objects.filter(batch=batch, row_number=2).exists()


def test_grey_zone_goes_to_review_and_confirming_stores_the_record(tmp_path: Path, data_admin_client: Any, subjects: list[Any]) -> None:
    import random

    s = next(x for x in subjects if x.name.endswith("有限公司"))
    name = _typo(random.Random(3), s.name)
    source = Source.objects.get(code="samr_penalty")  # has address + legal representative columns
    header = ["统一社会信用代码", "当事人名称", "经营地址", "法定代表人", "处罚决定书文号", "处罚决定日期", "处罚种类", "罚没金额（万元）"]
    other_number = re.sub(r"\d+号$", "9999号", s.address)  # same road, another door: not enough to merge
    rows = [["", name, other_number, "", "RV-1", "2025-02-02", "警告", "0"]]
    batch = ingest_file(source, write_csv(tmp_path / "r.csv", rows, header=header))
    assert (batch.quarantined, batch.accepted) == (1, 0)
    review = MatchReview.objects.get(row__batch=batch)
    assert review.candidate_id == s.pk
    page = data_admin_client.get("/intake/reviews/")
    assert s.name in page.content.decode()
    assert data_admin_client.post(f"/intake/reviews/{review.pk}/decide/", {"decision": "confirm"}).status_code == 302
    rec = Record.objects.get(source="samr_penalty", source_ref="RV-1")
    assert rec.subject_id == s.pk and rec.data["penalty_type"] == "warning"
    assert MergeLog.objects.get(record=rec).method == "review"


def test_a_branch_row_is_not_merged_and_twins_go_to_review_with_the_reason(
    tmp_path: Path, data_admin_client: Any, subjects: list[Any]
) -> None:
    from regwatch.subjects.models import Subject

    s = next(x for x in subjects if x.name.endswith("有限公司"))
    source = Source.objects.get(code="samr_penalty")
    header = ["统一社会信用代码", "当事人名称", "经营地址", "法定代表人", "处罚决定书文号", "处罚决定日期", "处罚种类", "罚没金额（万元）"]
    rows = [["", f"{s.name}（滨江分公司）", s.address, s.legal_representative, "BR-1", "2025-02-02", "警告", "0"]]
    batch = ingest_file(source, write_csv(tmp_path / "b.csv", rows, header=header))
    assert (batch.quarantined, batch.accepted) == (1, 0)  # never stored against the head office
    assert not MatchReview.objects.filter(row__batch=batch).exists()

    Subject.objects.create(name=s.name, region=s.region, kind=s.kind, pack=s.pack)  # the register holds the name twice
    rows = [["", s.name, "", "", "TW-1", "2025-02-02", "警告", "0"]]
    batch = ingest_file(source, write_csv(tmp_path / "t.csv", rows, header=header))
    assert (batch.quarantined, batch.accepted) == (1, 0)
    assert MatchReview.objects.filter(row__batch=batch).exists()
    page = data_admin_client.get("/intake/reviews/").content.decode()
    assert f"另有相近主体“{s.name}”" in page


@pytest.fixture
def pusher(world: None) -> APIClient:
    from regwatch.accounts.models import User

    user = User.objects.get(username="data_admin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _complaints(subjects: list[Any]) -> list[dict[str, Any]]:
    return [
        {"uscc": s.uscc, "name": s.name, "ref": f"P-{i}", "date": "2025-06-01", "channel": "12315", "type": "hygiene", "status": "办理中"}
        for i, s in enumerate(subjects[:4])
    ]


def test_push_is_idempotent_and_reports_rejected_records(pusher: APIClient, subjects: list[Any]) -> None:
    records = _complaints(subjects)
    records.append({"name": "", "ref": "P-bad", "date": "明天"})
    r = pusher.post("/api/v1/intake/push/12315/", {"records": records}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["accepted"], body["quarantined"]) == (4, 1)
    assert body["rejected"][0]["index"] == 5
    again = pusher.post("/api/v1/intake/push/12315/", {"records": records[:4]}, format="json").json()
    assert (again["accepted"], again["merged"], again["unchanged"]) == (0, 4, 4)


def test_push_refuses_anonymous_unprivileged_and_oversize(pusher: APIClient, inspector: Any, monkeypatch: Any) -> None:
    anon = APIClient().post("/api/v1/intake/push/12315/", {"records": [{}]}, format="json")
    assert anon.status_code == 401 and anon["Content-Type"] == "application/problem+json"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=inspector)[0].key}")
    assert client.post("/api/v1/intake/push/12315/", {"records": [{}]}, format="json").status_code == 403
    monkeypatch.setenv("REGWATCH_PUSH_MAX_BYTES", "1000")
    big = pusher.post("/api/v1/intake/push/12315/", {"records": [{"x": "y" * 2000}]}, format="json")
    assert big.status_code == 413 and big["Content-Type"] == "application/problem+json"
    assert "超过上限" in big.json()["detail"]


def test_cli_ingest_json_summary_and_exit_code(tmp_path: Path, subjects: list[Any], capsys: Any) -> None:
    path = write_csv(tmp_path / "c.csv", inspection_rows(subjects, prefix="C", n=3))
    call_command("ingest", str(path), "--source", "samr_inspection", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["rows_read"], out["accepted"], out["status"]) == (3, 3, "done")
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(SystemExit) as exc:
        call_command("ingest", str(empty), "--source", "samr_inspection")
    assert exc.value.code == 1
    assert "文件为空" in capsys.readouterr().err


def test_check_code_command(capsys: Any) -> None:
    call_command("check_code", "uscc", "91350100M000100Y43")
    assert "有效" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("check_code", "uscc", "91350100M000100Y43", "9135010OM000100Y43")
    out = capsys.readouterr().out
    assert "不是统一社会信用代码允许的字符" in out
    with pytest.raises(SystemExit):
        call_command("check_code", "id_card", "11010519491231002Y")


def test_mapping_edit_makes_a_new_version_and_template_lists_columns(data_admin_client: Any) -> None:
    from regwatch.intake.models import FieldMapping

    mapping = FieldMapping.objects.get(source__code="samr_penalty", is_current=True)
    template = data_admin_client.get(f"/intake/mappings/{mapping.pk}/template.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert "处罚决定书文号" in [c.value for c in wb["数据"][1]]
    assert "罚款" in [c.value for c in wb["代码表"]["C"]]
    bad = data_admin_client.post(f"/intake/mappings/{mapping.pk}/edit/", {"fields_json": '[{"target": "nowhere"}]', "rules_json": "[]"})
    assert bad.status_code == 400
    fields = [*mapping.fields, {"target": "data.violation", "source": "违法事实"}]
    ok = data_admin_client.post(
        f"/intake/mappings/{mapping.pk}/edit/", {"fields_json": json.dumps(fields, ensure_ascii=False), "rules_json": "[]", "note": "加列"}
    )
    assert ok.status_code == 302
    new = FieldMapping.objects.get(source__code="samr_penalty", is_current=True)
    assert new.version == mapping.version + 1 and new.fields[-1]["source"] == "违法事实"
    mapping.refresh_from_db()
    assert not mapping.is_current


def test_subject_page_shows_where_records_came_from(tmp_path: Path, data_admin_client: Any, subjects: list[Any]) -> None:
    ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "p.csv", inspection_rows(subjects, prefix="PN", n=2)))
    page = data_admin_client.get(f"/subjects/{subjects[0].pk}/").content.decode()
    assert 'id="intake-lineage"' in page and "食品安全监管系统（日常检查）" in page


def test_bench_ingest_runs_small(world: None, capsys: Any) -> None:
    call_command("bench", "ingest", "--rows", "400", "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["rows"] == 400 and figures["balanced"] and figures["quarantined"] == 2
    assert figures["rows_per_second"] > 0 and figures["peak_rss_mb"] > 0
