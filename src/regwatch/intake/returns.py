"""问题数据反馈: an Excel file of quarantined rows with every reason, safe to open (no formulas)."""

from __future__ import annotations

import tempfile
from typing import IO, Any

import xlsxwriter

from regwatch.core.dictionaries import code_names
from regwatch.subjects.models import RecordType
from regwatch.web.export import safe_cell

from .models import Batch, QuarantinedRow


def return_to_source_xlsx(batch: Batch, rows: Any) -> IO[bytes]:
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("问题数据")
    bold = wb.add_format({"bold": True, "bg_color": "#FDE2E1"})
    columns: list[str] = []
    for q in rows.iterator() if hasattr(rows, "iterator") else rows:
        for k in q.raw:
            if k not in columns and not k.startswith("_"):
                columns.append(k)
    header = ["工作表", "原行号", *columns, "问题原因", "问题数"]
    for c, h in enumerate(header):
        ws.write_string(0, c, h, bold)
    r = 0
    for r, q in enumerate(rows.iterator() if hasattr(rows, "iterator") else rows, start=1):
        values: list[Any] = [
            q.sheet,
            q.row_number,
            *[q.raw.get(k) for k in columns],
            "；".join(x["message"] for x in q.reasons),
            len(q.reasons),
        ]
        for c, v in enumerate(values):
            cell = safe_cell(v)
            if isinstance(cell, str):
                ws.write_string(r, c, cell)
            else:
                ws.write_number(r, c, cell)
    info = wb.add_worksheet("说明")
    info.write_string(0, 0, f"数据源：{batch.source.name}（{batch.source.code}）")
    info.write_string(1, 0, f"批次：{batch.pk}，文件：{batch.filename}，读取 {batch.rows_read} 行，问题数据 {r} 行")
    info.write_string(2, 0, "请按“问题原因”修正后重新报送；以 ' 开头的单元格为防公式注入而转义的文本。")
    wb.close()
    tmp.seek(0)
    return tmp


__all__ = ["QuarantinedRow", "return_to_source_xlsx", "safe_cell"]


def import_template_xlsx(mapping: Any) -> IO[bytes]:
    """An empty import template for one mapping: its source columns (required ones marked) and code lists."""

    rt = RecordType.objects.filter(code=mapping.target).first()
    fields = {f["name"]: f for f in (rt.fields if rt else [])}
    required = {r["field"] for r in mapping.rules if r.get("rule") == "required"}
    required |= {f"data.{n}" for n, f in fields.items() if f.get("required")}
    required |= {"occurred_on"} if rt else {"subject.uscc", "subject.name", "subject.region_code"}
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False})
    ws = wb.add_worksheet("数据")
    need = wb.add_format({"bold": True, "bg_color": "#FDE2E1"})
    plain = wb.add_format({"bold": True})
    codes = wb.add_worksheet("代码表")
    codes.write_row(0, 0, ["字段", "代码", "名称"], plain)
    row = 1
    seen: set[str] = set()
    for f in (x for x in mapping.fields if x.get("source")):
        if f["source"] in seen:
            continue
        seen.add(f["source"])
        ws.write_string(0, len(seen) - 1, f["source"], need if f["target"] in required else plain)
        ws.set_column(len(seen) - 1, len(seen) - 1, 18)
        dictionary = next((t.split(":", 1)[1] for t in f.get("transforms", []) if t.startswith("dict:")), None)
        if dictionary:
            for code, name in code_names([dictionary]).get(dictionary, {}).items():
                codes.write_row(row, 0, [f["source"], code, name])
                row += 1
    ws.write_comment(0, 0, "红色表头为必填列；代码列可填代码或名称，见“代码表”。")
    wb.close()
    tmp.seek(0)
    return tmp
