"""Excel export of any object list, streamed row by row (openpyxl write-only mode)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from openpyxl import Workbook

from regwatch.audit.services import record_access

from .masking import Masker
from .readable import as_text
from .registry import Column, ObjectType

# Query parameters that do not change which rows an export holds.
NOT_FILTERS = ("export", "page", "per_page", "sort", "unmasked", "reason")


@dataclass
class ExportAsk:
    """One export a user asks for: which list, which filters, how many rows, masked or clear."""

    otype: ObjectType
    filters: dict[str, list[str]]
    rows: int
    unmasked: bool = False
    reason: str = ""
    approval: int | None = None  # the approved request a guard consumed for it


# Checks an app above adds (the approvals app: bulk exports need an approved request).  A guard
# returns a response to refuse the export (and offer what to do), or ``None`` to let it run.
EXPORT_GUARDS: list[Callable[[HttpRequest, ExportAsk], HttpResponse | None]] = []


def register_export_guard(guard: Callable[[HttpRequest, ExportAsk], HttpResponse | None]) -> None:
    if guard not in EXPORT_GUARDS:
        EXPORT_GUARDS.append(guard)


def list_filters(params: QueryDict) -> dict[str, list[str]]:
    """The filters of a list's query, normalised: the same rows give the same dict."""
    return {k: sorted(v for v in vs if v) for k, vs in sorted(params.lists()) if k not in NOT_FILTERS and any(vs)}


def export_list(request: HttpRequest, otype: ObjectType, qs: models.QuerySet[Any], columns: list[Column]) -> HttpResponse | FileResponse:
    """The list's Excel export after the guards: masked as on screen, or clear with a reason for
    users the masking policy lets reveal (``unmasked=1&reason=…``)."""
    masker = Masker(request.user)
    unmasked = request.GET.get("unmasked") == "1"
    reason = request.GET.get("reason", "").strip()
    if unmasked:
        if not masker.controls:
            raise PermissionDenied("您没有查看敏感字段明文的权限")
        if not reason or len(reason) > 500:
            messages.error(request, "导出明文须填写原因（不超过 500 字）")
            back = request.GET.copy()
            for key in ("export", "unmasked", "reason"):
                back.pop(key, None)
            return redirect(f"{otype.url()}?{back.urlencode()}" if back else otype.url())
    limit = settings.REGWATCH_EXPORT_MAX_ROWS
    ask = ExportAsk(otype, list_filters(request.GET), min(qs.count(), limit), unmasked, reason)
    for guard in EXPORT_GUARDS:
        refusal = guard(request, ask)
        if refusal is not None:
            return refusal
    extra: dict[str, Any] = {"unmasked": True, "reason": reason} if unmasked else {}
    if ask.approval is not None:
        extra["approval"] = ask.approval
    filters = {k: v for k, v in request.GET.items() if k not in ("export", "reason")}
    return export_xlsx(otype, qs, filters, columns, masker=None if unmasked else Masker(request.user, controls=False), **extra)


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


def export_xlsx(
    otype: ObjectType,
    qs: models.QuerySet[Any],
    filters: dict[str, Any],
    columns: list[Column] | None = None,
    *,
    masker: Masker | None,
    **detail: Any,
) -> FileResponse:
    """The list as a workbook, in the columns the user shows (all of them when ``columns`` is None).

    ``masker`` masks sensitive values as on screen; ``None`` (an export in clear) only after
    ``export_list`` checked the permission, the reason and the approval.
    """
    columns = otype.list_columns if columns is None else columns
    limit = settings.REGWATCH_EXPORT_MAX_ROWS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(otype.title[:31])
    ws.append([otype.column_label(c) for c in columns])
    count = 0
    for obj in qs[:limit].iterator(chunk_size=2000):
        values = [c.value(obj) for c in columns]
        if masker is not None:
            values = [masker.at(obj, c.name, v) for c, v in zip(columns, values, strict=True)]
        ws.append([safe_cell(v) for v in values])
        count += 1
    record_access("export", otype.title, rows=count, filters=filters, truncated=count >= limit, **detail)
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
