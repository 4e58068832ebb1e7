"""The data administrator's journey in chromium: read the column explanation, upload a GBK CSV
with good and bad rows, read why rows were held back (in the file's own column names), and fix one.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from regwatch.intake.models import QuarantinedRow
from regwatch.subjects.models import Record, Subject

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.e2e

INVALID = re.compile(r"\bis-invalid\b")
HEADER = ["统一社会信用代码", "企业名称", "检查编号", "检查日期", "检查结果", "发现问题数", "检查人员", "检查单位"]


def shot(page: Any, n: int, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"journey-data-admin-{n}-{name}.png"), full_page=True)


def gbk_csv(path: Path, subjects: list[Subject]) -> Path:
    a, b, c, d = subjects
    rows = [
        [a.uscc, a.name, "JD-1", "2025-03-01", "符合", "0", "张三", "西湖所"],
        [b.uscc, b.name, "JD-2", "2025/03/02", "基本符合", "1", "李四", "西湖所"],
        [c.uscc, c.name, "JD-3", "2099-01-01", "符合", "0", "王五", "西湖所"],  # a date in the future
        [d.uscc, d.name, "JD-4", "2025-13-45", "很好", "0", "赵六", "西湖所"],  # no such date, no such result
        ["", "查无此店的小吃部", "JD-5", "2025-03-05", "符合", "0", "钱七", "西湖所"],  # no subject of that name
        [a.uscc, a.name, "JD-6", "2025-03-06", "不符合", "2", "张三", "西湖所"],
    ]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


def test_data_admin_uploads_a_gbk_csv_reads_the_reasons_and_fixes_a_row(page: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    subjects = list(Subject.objects.filter(pack="food_credit").exclude(uscc=None).order_by("pk")[:4])
    bad = subjects[3]
    login(page, "data_admin")

    # 1. The upload page says what a file must look like.
    page.goto(f"{page.base_url}/intake/upload/")
    expect(page.locator("#upload-rules")).to_contain_text("GBK")
    expect(page.locator("#upload-rules")).to_contain_text("不超过")
    shot(page, 1, "upload")

    # 2. Picking the inspection source reloads the column table for its mapping (HTMX).
    page.select_option("#id_source", label="食品安全监管系统（日常检查）")
    table = page.locator("#column-table")
    date_row = table.locator("tr", has_text="检查日期")
    expect(date_row).to_contain_text("必填")
    expect(date_row).to_contain_text("yyyy-mm-dd")
    expect(table.locator("tr", has_text="检查结果")).to_contain_text("符合、基本符合、不符合")
    expect(table.locator("tr", has_text="统一社会信用代码")).to_contain_text("18位")
    expect(page.locator("#template-link")).to_have_attribute("href", re.compile(r"/template\.xlsx$"))
    page.locator("#column-help").scroll_into_view_if_needed()
    shot(page, 2, "columns")

    # 3. Upload the GBK file; the batch page counts and explains the held-back rows.
    page.set_input_files("#id_file", str(gbk_csv(tmp_path / "日常检查.csv", subjects)))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/intake-batches/*/")
    counters = page.locator("#batch-counters")
    expect(counters).to_contain_text("读取行数6")
    expect(counters).to_contain_text("新增入库3")
    expect(counters).to_contain_text("隔离3")
    expect(page.locator("#rule-failures")).to_contain_text("时间异常 · 检查日期")
    held = page.locator("#held-table")
    future = held.locator("tr", has_text=subjects[2].name)
    expect(future).to_contain_text(subjects[2].uscc)
    expect(future).to_contain_text("检查日期“2099-01-01”晚于今天")
    broken = held.locator("tr", has_text=bad.name)
    expect(broken).to_contain_text(bad.uscc)
    expect(broken).to_contain_text("检查日期：“2025-13-45”不是可识别的日期")
    expect(broken).to_contain_text("检查结果“很好”不在代码表中")
    expect(held.locator("tr", has_text="查无此店的小吃部")).to_contain_text("未能匹配到监管主体")
    expect(held).not_to_contain_text("发生日期")
    shot(page, 3, "batch")

    # 4. Open the row with the bad date and result; the reasons stand beside their fields.
    broken.get_by_role("link", name="修正").click()
    page.wait_for_url("**/intake/quarantine/*/fix/")
    date_input = page.get_by_label("检查日期")
    result_input = page.get_by_label("检查结果")
    expect(date_input).to_have_value("2025-13-45")
    expect(date_input).to_have_class(INVALID)
    shot(page, 4, "fix-form")

    # 5. A still-bad result: the error stays beside 检查结果, and what was typed is kept.
    date_input.fill("2025-03-04")
    result_input.fill("很好啊")
    page.get_by_label("检查人员").fill("赵六、孙八")
    page.click("#fix-form button[type=submit]")
    expect(page.locator("#fix-reasons")).to_be_visible()
    expect(date_input).to_have_value("2025-03-04")
    expect(result_input).to_have_value("很好啊")
    expect(page.get_by_label("检查人员")).to_have_value("赵六、孙八")
    expect(date_input).not_to_have_class(INVALID)
    result_error = page.locator(f"#{result_input.get_attribute('id')}_error")
    expect(result_error).to_contain_text("检查结果“很好啊”不在代码表中")
    shot(page, 5, "fix-error")

    # 6. The right value: the row is stored and leaves the quarantine list.
    result_input.fill("基本符合")
    page.click("#fix-form button[type=submit]")
    page.wait_for_url("**/intake-batches/*/")
    expect(page.locator(".alert", has_text="已修正入库")).to_be_visible()
    expect(page.locator("#batch-counters")).to_contain_text("已修正回流 1")
    expect(page.locator("#held-table")).not_to_contain_text(bad.name)
    shot(page, 6, "fixed")

    # 7. Back on the upload page, the last upload and its remaining held-back rows are listed.
    page.goto(f"{page.base_url}/intake/upload/")
    expect(page.locator("#recent-batch")).to_contain_text("隔离 3 行（已修正回流 1 行）")
    expect(page.locator("#held-table tbody tr")).to_have_count(2)
    expect(page.locator("#held-table")).to_contain_text(subjects[2].uscc)
    page.locator("#recent-batch").scroll_into_view_if_needed()
    shot(page, 7, "upload-after")

    # 8. The full quarantine list names the subject and code of each row too.
    page.locator("#held-rows").get_by_role("link", name="全部隔离数据").click()
    listing = page.locator("#object-list")
    expect(listing).to_contain_text(subjects[2].name)
    expect(listing).to_contain_text(subjects[2].uscc)
    expect(listing).to_contain_text("查无此店的小吃部")
    shot(page, 8, "quarantine-list")

    record = Record.objects.get(source="samr_inspection", source_ref="JD-4")
    assert record.subject_id == bad.pk and record.data["result"] == "basic_pass" and record.data["inspector"] == "赵六、孙八"
    assert QuarantinedRow.objects.filter(record=record, status=QuarantinedRow.Status.FIXED).exists()
