"""Hostile files (issue 10, probe findings 2 and 3): refused or failed with the reason, never a dead worker.

The probe's 1.6 KB xlsx declaring XFD1048576 made calamine ask for 512 GB and abort the task
worker with SIGABRT; a 200,000-deep JSON left its batch "running" for ever.  Here the same files go
through the upload page, the CLI and the push API, and this test process (which runs huey tasks
immediately, as the worker would) must come out alive with a failed batch that says why.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from regwatch.intake import pipeline
from regwatch.intake.models import Batch, Source
from regwatch.intake.pipeline import fail_stale_batches, ingest_file
from regwatch.ops.models import Job
from regwatch.ops.progress import start_job
from regwatch.subjects.models import Record

from .conftest import HEADER, inspection_rows, write_csv

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(sheets: list[tuple[str, str]], compresslevel: int = 9) -> bytes:
    """A minimal xlsx, written part by part: each sheet is (dimension ref, <row> elements)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        + "".join(f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
        + "</Relationships>",
    }
    for i, (dimension, rows) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{rows}</sheetData></worksheet>"
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


# The probe's file: one cell, at the last cell Excel has, and the dimension that declares it.
XFD = xlsx([("A1:XFD1048576", f'<row r="1048576">{inline("XFD1048576", "x")}</row>')])
# The same cell behind a dimension that lies ("A1"): passes the check, so calamine really aborts.
LYING = xlsx([("A1", f'<row r="1">{inline("A1", "统一社会信用代码")}</row><row r="1048576">{inline("XFD1048576", "x")}</row>')])


def header_row(r: int = 1) -> str:
    return f'<row r="{r}">' + "".join(inline(f"{chr(65 + i)}{r}", h) for i, h in enumerate(HEADER)) + "</row>"


def upload(client: Any, name: str, content: bytes) -> Batch:
    source = Source.objects.get(code="samr_inspection" if not name.endswith(".json") else "12315")
    response = client.post("/intake/upload/", {"source": source.pk, "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:500]
    return Batch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def cli_error(path: Path, source: str, capsys: Any) -> str:
    with pytest.raises(SystemExit) as exc:
        call_command("ingest", str(path), "--source", source)
    assert exc.value.code == 1
    return str(capsys.readouterr().err)


def test_the_probes_xlsx_declaring_xfd1048576_is_refused_with_the_reason(
    data_admin_client: Any, tmp_path: Path, capsys: Any, world: None
) -> None:
    assert len(XFD) < 2048  # the probe's file was 1.6 KB
    batch = upload(data_admin_client, "声明超大范围.xlsx", XFD)
    assert batch.status == Batch.Status.FAILED
    assert "XFD1048576" in batch.error and "1048576 行 × 16384 列" in batch.error and "超过上限" in batch.error
    page = data_admin_client.get("/intake/upload/").content.decode()
    assert "XFD1048576" in page and "超过上限" in page  # the uploader sees why on the upload page
    path = tmp_path / "x.xlsx"
    path.write_bytes(XFD)
    assert "1048576 行 × 16384 列" in cli_error(path, "samr_inspection", capsys)


@pytest.mark.parametrize(
    ("limits", "wanted"),
    [
        ({}, "疑似压缩炸弹"),  # 40 MB of one repeated row packed into a few KB
        ({"REGWATCH_XLSX_MAX_UNCOMPRESSED_BYTES": 20 * 1024 * 1024, "REGWATCH_XLSX_MAX_RATIO": 100_000}, "超过上限 20 MB"),
        ({"REGWATCH_XLSX_MAX_MEMBER_BYTES": 20 * 1024 * 1024, "REGWATCH_XLSX_MAX_RATIO": 100_000}, "超过单个部件上限 20 MB"),
    ],
)
def test_a_zip_bomb_xlsx_is_refused_by_size_before_it_is_unpacked(tmp_path: Path, world: None, limits: dict[str, int], wanted: str) -> None:
    row = '<row r="2">' + "".join(inline(f"{chr(65 + i)}2", "0" * 40) for i in range(8)) + "</row>"
    bomb = xlsx([("A1:H2", header_row() + row * (40 * 1024 * 1024 // len(row)))])
    assert len(bomb) < 1024 * 1024
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with override_settings(**limits):
        batch = ingest_file(Source.objects.get(code="samr_inspection"), path)
    assert batch.status == Batch.Status.FAILED and wanted in batch.error, batch.error
    assert batch.rows_read == 0


def test_a_200000_deep_json_ends_its_batch_failed_with_the_reason(data_admin_client: Any, tmp_path: Path, capsys: Any, world: None) -> None:
    deep = b"[" * 200_000
    batch = upload(data_admin_client, "嵌套.json", deep)
    assert batch.status == Batch.Status.FAILED and "嵌套层数过深" in batch.error
    assert batch.finished_at is not None
    path = tmp_path / "deep.json"
    path.write_bytes(deep)
    assert "嵌套层数过深" in cli_error(path, "12315", capsys)
    lines = tmp_path / "deep.jsonl"
    lines.write_bytes(b'{"a": ' + b"[" * 200_000 + b"\n")
    assert "嵌套层数过深" in ingest_file(Source.objects.get(code="12315"), lines).quarantine.get().reason_text


def test_a_200000_deep_push_is_a_400_with_the_reason(pusher: Any) -> None:
    body = '{"records": [' + "[" * 200_000 + "]"
    r = pusher.post("/api/v1/intake/push/12315/", body, content_type="application/json")
    assert r.status_code == 400 and "嵌套层数过深" in r.json()["detail"]


def test_a_record_nested_too_deep_is_quarantined_not_a_crash(pusher: Any, subjects: list[Any]) -> None:
    nested: Any = "x"
    for _ in range(500):
        nested = {"k": nested}
    s = subjects[0]
    records = [{"uscc": s.uscc, "name": s.name, "ref": "D-1", "date": "2025-06-01", "status": "办理中", "extra": nested}]
    r = pusher.post("/api/v1/intake/push/12315/", {"records": records}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["quarantined"] == 1 and "嵌套层数超过 64 层" in r.json()["rejected"][0]["reasons"][0]


def test_a_reader_that_aborts_in_its_child_fails_the_batch_and_this_process_lives(data_admin_client: Any, world: None) -> None:
    batch = upload(data_admin_client, "范围造假.xlsx", LYING)
    assert batch.status == Batch.Status.FAILED
    assert "读取文件的进程异常终止（SIGABRT）" in batch.error


def test_a_child_dying_mid_file_fails_the_batch_and_its_job(tmp_path: Path, subjects: list[Any]) -> None:
    """Sheet 1 streams in; reading sheet 2 aborts the child: the batch and its progress job both fail."""
    good = header_row() + "".join(
        f'<row r="{r}">' + "".join(inline(f"{chr(65 + i)}{r}", v) for i, v in enumerate(values)) + "</row>"
        for r, values in enumerate(inspection_rows(subjects[:3], prefix="M"), start=2)
    )
    path = tmp_path / "two.xlsx"
    bad = f'<row r="1">{inline("A1", "x")}</row><row r="1048576">{inline("XFD1048576", "y")}</row>'
    path.write_bytes(xlsx([("A1:H4", good), ("A1", bad)]))
    batch = ingest_file(Source.objects.get(code="samr_inspection"), path)
    assert batch.status == Batch.Status.FAILED and "异常终止" in batch.error
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == Job.Status.FAILED and job.error == batch.error  # the reason in Chinese, not a traceback


def test_a_child_over_its_memory_limit_fails_the_batch(tmp_path: Path, world: None) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"a": "x" * 1000}] * 60_000))  # a JSON array is read whole: 60 MB of text, more as objects
    with override_settings(REGWATCH_INTAKE_READER_MEMORY_MB=96):
        batch = ingest_file(Source.objects.get(code="12315"), path)
    assert batch.status == Batch.Status.FAILED and "内存上限（96 MB）" in batch.error, batch.error


def test_any_error_while_storing_ends_batch_and_job_failed_in_chinese(tmp_path: Path, subjects: list[Any], monkeypatch: Any) -> None:
    """Fault injection: the storing step raises as a database or a bug would."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "process_chunk", broken)
    path = write_csv(tmp_path / "c.csv", inspection_rows(subjects, prefix="E", n=3))
    batch = ingest_file(Source.objects.get(code="samr_inspection"), path)
    assert batch.status == Batch.Status.FAILED and "导入时发生意外错误（RuntimeError）" in batch.error
    assert Job.objects.get(pk=batch.job_id).error == batch.error
    assert Batch.objects.filter(status=Batch.Status.RUNNING).count() == 0


def test_normal_xlsx_with_real_dates_still_streams_through_the_child(tmp_path: Path, subjects: list[Any]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in inspection_rows(subjects[:3], prefix="D"):
        r[3] = dt.date(2025, 3, 2)  # a real date cell, not text: it crosses the pipe as a date
        ws.append(r)
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    batch = ingest_file(Source.objects.get(code="samr_inspection"), path)
    assert (batch.status, batch.accepted) == (Batch.Status.DONE, 3), batch.error
    assert set(Record.objects.filter(source="samr_inspection", source_ref__startswith="D-").values_list("occurred_on", flat=True)) == {
        dt.date(2025, 3, 2)
    }


def test_batches_a_dead_worker_left_running_are_failed(world: None, data_admin: Any) -> None:
    source = Source.objects.get(code="samr_inspection")
    dead = Batch.objects.create(source=source, filename="dead.csv", created_by=data_admin)
    dead.job = start_job("ingest", "导入 dead.csv")
    dead.save()
    Job.objects.filter(pk=dead.job.pk).update(status=Job.Status.RUNNING, updated_at=timezone.now() - dt.timedelta(minutes=30))
    alive = Batch.objects.create(source=source, filename="alive.csv", created_by=data_admin)
    alive.job = start_job("ingest", "导入 alive.csv")
    alive.save()
    queued = Batch.objects.create(source=source, filename="queued.csv", created_by=data_admin)
    assert fail_stale_batches() == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == Batch.Status.FAILED and "导入进程已中止" in dead.error
    assert Job.objects.get(pk=dead.job.pk).status == Job.Status.FAILED
    assert Batch.objects.filter(pk__in=[alive.pk, queued.pk], status=Batch.Status.RUNNING).count() == 2


@pytest.fixture
def pusher(world: None) -> Any:
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from regwatch.accounts.models import User

    client = APIClient()
    user = User.objects.get(username="data_admin")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client
