"""Excel export of any object list, streamed row by row (openpyxl write-only mode)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook

from regwatch.audit.services import record_access

from .readable import as_text
from .registry import Column, ObjectType

# A spreadsheet runs a cell starting with these as a formula (=cmd|..., +..., @...): CSV/Excel injection.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value as an Excel cell: numbers stay numbers, text that a spreadsheet would run is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict | list | tuple):
        value = as_text(value)
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_xlsx(otype: ObjectType, qs: models.QuerySet[Any], filters: dict[str, Any], columns: list[Column] | None = None) -> FileResponse:
    """The list as a workbook, in the columns the user shows (all of them when ``columns`` is None)."""
    columns = otype.list_columns if columns is None else columns
    limit = settings.REGWATCH_EXPORT_MAX_ROWS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(otype.title[:31])
    ws.append([otype.column_label(c) for c in columns])
    count = 0
    for obj in qs[:limit].iterator(chunk_size=2000):
        ws.append([safe_cell(c.value(obj)) for c in columns])
        count += 1
    record_access("export", otype.title, rows=count, filters=filters, truncated=count >= limit)
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it after streaming
    wb.save(tmp)
    tmp.seek(0)
    name = f"{otype.slug}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(
        tmp, as_attachment=True, filename=name, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def table_xlsx(
    filename: str, sheets: list[tuple[str, list[str], list[list[Any]]]], *, access: tuple[str, str], detail: dict[str, Any]
) -> FileResponse:
    """A workbook of small tables (a statistics page's figures): one sheet per (title, headers, rows).

    Logged like a list export (``access`` = action and target of the access event).
    """
    wb = Workbook(write_only=True)
    count = 0
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(headers)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
            count += 1
    record_access(access[0], access[1], rows=count, filters=detail)
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it after streaming
    wb.save(tmp)
    tmp.seek(0)
    return FileResponse(
        tmp, as_attachment=True, filename=filename, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
