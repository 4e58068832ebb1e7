"""What a data administrator reads around an upload: the expected columns, reasons in the file's
own column names, held-back rows with their subject, and a fix form that keeps what was typed.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from regwatch.intake.models import Batch, FieldMapping, QuarantinedRow, Source
from regwatch.intake.pipeline import compile_mapping, ingest_file, ingest_records

from .conftest import HEADER, inspection_rows, write_csv


def rows_of(page: str, table_id: str) -> list[str]:
    """The visible text of each body row of one table, cells separated by " | "."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, f"no table #{table_id}"
    body = table.group(0).split("<tbody>", 1)[1]
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", td))).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        out.append(" | ".join(cells))
    return out


def row_with(rows: list[str], text: str) -> str:
    found = [r for r in rows if text in r]
    assert found, f"no row with {text!r} in {rows}"
    return found[0]


def field_block(page: str, index: int) -> str:
    """The input f_<index> with everything shown beside it, up to the next field."""
    start = page.rfind("<input", 0, page.index(f'id="f_{index}"'))
    end = page.find('<div class="mb-3 row">', start)
    return page[start : end if end > 0 else None]


# --- reasons name the file's columns ----------------------------------------------------------


def test_reasons_use_the_files_column_names_and_keep_the_column(subjects: list[Any]) -> None:
    mapping = FieldMapping.objects.get(source__code="samr_inspection", is_current=True)
    compiled, _ = compile_mapping(mapping)
    s = subjects[0]
    row = dict(zip(HEADER, [s.uscc, s.name, "C-1", "2099-01-01", "很好", "1.5", "张三", "所"], strict=True))
    reasons = compiled.prepare(row).reasons
    messages = {r.column: r.message for r in reasons}
    assert messages["检查日期"] == "检查日期“2099-01-01”晚于今天，时间字段异常"
    assert messages["检查结果"].startswith("检查结果“很好”不在代码表中")
    assert messages["发现问题数"].startswith("发现问题数：")
    assert not any("发生日期" in r.message for r in reasons)
    assert {r.rule + ":" + r.field for r in reasons} >= {"not_future:occurred_on", "dictionary:data.result"}  # quality keys unchanged

    missing = compiled.prepare({**row, "检查日期": "", "检查结果": "符合", "发现问题数": "0"}).reasons
    assert [(r.column, r.message) for r in missing] == [("检查日期", "检查日期为必填项，不能为空")]


def test_a_pushed_record_names_its_key_beside_the_fields_label(world: None) -> None:
    batch = ingest_records(Source.objects.get(code="12315"), [{"uscc": "", "name": "查无此店", "ref": "P-1", "date": "", "status": "办结"}])
    reasons = QuarantinedRow.objects.get(batch=batch).reasons
    assert [(r["column"], r["message"]) for r in reasons] == [("date", "date（发生日期）为必填项，不能为空")]


def test_an_unmatched_row_is_told_which_columns_identify_a_subject(tmp_path: Path, subjects: list[Any]) -> None:
    rows = [["", "查无此店的小吃部", "UM-1", "2025-03-01", "符合", "0", "张三", "所"]]
    batch = ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "u.csv", rows))
    assert QuarantinedRow.objects.get(batch=batch).reason_text == "未能匹配到监管主体：请核对统一社会信用代码、许可证编号或企业名称"


# --- the upload page explains the columns -----------------------------------------------------


def test_upload_page_explains_each_column_of_the_chosen_source(data_admin_client: Any, world: None) -> None:
    source = Source.objects.get(code="samr_inspection")
    mapping = FieldMapping.objects.get(source=source, is_current=True)
    page = data_admin_client.get(f"/intake/upload/?source={source.pk}").content.decode()
    assert "GBK" in page and "xlsx" in page and "JSON" in page and "不超过 500 MB" in page
    assert f'href="/intake/mappings/{mapping.pk}/template.xlsx"' in page
    assert 'hx-get="/intake/upload/columns/"' in page
    assert ">routine_inspection<" not in page and ">日常检查<" in page  # record types by name in the dropdown

    rows = rows_of(page, "column-table")
    assert [r.split(" | ")[0] for r in rows] == ["统一社会信用代码", "企业名称", "许可证编号", "经营地址", "检查编号", *HEADER[3:]]
    date = row_with(rows, "检查日期")
    assert "必填" in date and "日期 yyyy-mm-dd" in date and "2025-03-01" in date and "发生日期" in date
    result = row_with(rows, "检查结果")
    assert "必填" in result and "符合、基本符合、不符合" in result
    assert "18位" in row_with(rows, "统一社会信用代码") and "选填" in row_with(rows, "统一社会信用代码")
    assert "整数；取值 0～200" in row_with(rows, "发现问题数")


def test_picking_another_source_or_record_type_reloads_the_explanation(data_admin_client: Any, world: None) -> None:
    licence = Source.objects.get(code="samr_licence")
    part = data_admin_client.get(f"/intake/upload/columns/?source={licence.pk}").content.decode()
    rows = rows_of(part, "column-table")
    assert "SC 或 JY 加14位数字" in row_with(rows, "许可证编号")
    assert "不早于“有效期起”" in row_with(rows, "有效期至")
    registry = Source.objects.get(code="samr_registry")
    rows = rows_of(data_admin_client.get(f"/intake/upload/columns/?source={registry.pk}").content.decode(), "column-table")
    assert "必填" in row_with(rows, "区划代码") and "6位数字" in row_with(rows, "区划代码")
    assert "企业、个体工商户、个体" in row_with(rows, "主体类型") and "选填" in row_with(rows, "主体类型")  # it has a default
    assert "日期 yyyy-mm-dd" in row_with(rows, "成立日期") and "不晚于今天" in row_with(rows, "成立日期")
    assert "GB/T 4754" in row_with(rows, "行业代码") and "仅提示" in row_with(rows, "行业代码")
    wrong = data_admin_client.get(f"/intake/upload/columns/?source={licence.pk}&target=penalty").content.decode()
    assert "数据源“食品经营许可系统”没有“行政处罚”的字段映射，可选：食品许可" in wrong
    assert "请选择数据源" in data_admin_client.get("/intake/upload/columns/").content.decode()


# --- held-back rows with their subject ---------------------------------------------------------


def _upload(client: Any, rows: list[list[str]]) -> Batch:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    upload = SimpleUploadedFile("检查.csv", buf.getvalue().encode("gbk"), content_type="text/csv")
    response = client.post("/intake/upload/", {"source": Source.objects.get(code="samr_inspection").pk, "file": upload})
    assert response.status_code == 302
    return Batch.objects.latest("pk")


def test_batch_and_upload_pages_list_held_rows_with_subject_name_code_and_every_reason(data_admin_client: Any, subjects: list[Any]) -> None:
    rows = inspection_rows(subjects, prefix="H", n=3)
    rows[1][3], rows[1][4] = "2025-13-45", "很好"
    rows[2][0], rows[2][1] = "", "查无此店的小吃部"
    batch = _upload(data_admin_client, rows)
    assert (batch.accepted, batch.quarantined) == (1, 2)
    for url in (f"/intake-batches/{batch.pk}/", "/intake/upload/"):
        page = data_admin_client.get(url).content.decode()
        held = rows_of(page, "held-table")
        assert len(held) == 2
        bad = row_with(held, subjects[1].name)
        assert subjects[1].uscc in bad
        assert "检查日期：“2025-13-45”不是可识别的日期" in bad and "检查结果“很好”不在代码表中" in bad
        assert "查无此店的小吃部 文件所填 | （未填写） |" in row_with(held, "查无此店")
    page = data_admin_client.get(f"/intake-quarantine/?batch={batch.pk}").content.decode()
    assert subjects[1].name in page and subjects[1].uscc in page and "查无此店的小吃部" in page


def test_a_failed_fix_keeps_every_typed_value_and_shows_each_error_beside_its_field(
    tmp_path: Path, data_admin_client: Any, subjects: list[Any]
) -> None:
    rows = inspection_rows(subjects, prefix="K", n=1)
    rows[0][3], rows[0][4] = "2025-13-45", "很好"
    batch = ingest_file(Source.objects.get(code="samr_inspection"), write_csv(tmp_path / "k.csv", rows))
    row = QuarantinedRow.objects.get(batch=batch)
    url = f"/intake/quarantine/{row.pk}/fix/"
    first = data_admin_client.get(url).content.decode()
    keys = [k for k in row.raw if not k.startswith("_")]
    date_i, result_i, who_i = keys.index("检查日期"), keys.index("检查结果"), keys.index("检查人员")
    assert "不是可识别的日期" in field_block(first, date_i) and "不在代码表中" in field_block(first, result_i)

    form = {f"f_{i}": str(row.raw[k]) for i, k in enumerate(keys)}
    form |= {f"f_{date_i}": "2025-03-04", f"f_{result_i}": "很好啊", f"f_{who_i}": "赵六、孙八"}
    response = data_admin_client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="2025-03-04"' in field_block(page, date_i) and "is-invalid" not in field_block(page, date_i)
    assert 'value="很好啊"' in field_block(page, result_i) and "is-invalid" in field_block(page, result_i)
    assert "检查结果“很好啊”不在代码表中" in field_block(page, result_i)
    assert 'value="赵六、孙八"' in field_block(page, who_i)
    assert "仍未通过校验" in page
    assert QuarantinedRow.objects.filter(batch=batch).count() == 1  # the retry leaves no second row behind
