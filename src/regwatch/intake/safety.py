"""Checks on an untrusted xlsx before any Excel reader touches it (Django-free: the reader child runs it).

An xlsx is a zip of XML parts.  Two cheap looks refuse the files that make a reader allocate
without bound, each with a Chinese reason:

* the zip's central directory: the number of parts, each part's and the total uncompressed size,
  and the compression ratio of large parts (a "zip bomb" unpacks a few KB into GBs);
* each worksheet's declared ``<dimension ref="A1:XFD1048576"/>``, read from the first bytes of the
  part only: calamine sizes its cell grid from it and from the farthest cell, so a 1.6 KB file
  declaring XFD1048576 once asked for 512 GB and aborted the whole task worker.

A sheet whose dimension lies (declares ``A1`` and holds a cell at XFD1048576) passes here; the
memory limit of the reader child (``intake.isolation``) stops that one.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024  # the dimension element comes before <sheetData>, in the first few hundred bytes
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Za-z0-9:$ ]+)[\"']")
CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
SHEET_PART = re.compile(r"worksheets/sheet(\d+)\.xml$", re.IGNORECASE)
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an uploaded file may ask of the reader; ``intake.isolation.limits()`` fills it from settings."""

    max_uncompressed: int = 1024 * MB  # all parts of one xlsx together
    max_member: int = 512 * MB  # one part
    max_ratio: int = 200  # uncompressed / compressed, for parts above ``ratio_from``
    ratio_from: int = 10 * MB
    max_members: int = 10_000
    max_rows: int = 1_048_576
    max_columns: int = 1_024
    max_cells: int = 20_000_000
    memory_mb: int = 4_096  # the reader child's address space (RLIMIT_AS)
    cpu_seconds: int = 600  # the reader child's CPU time (RLIMIT_CPU)
    timeout_seconds: int = 900  # wall time the pipeline waits for the child's next rows


class Refused(Exception):
    """The file asks too much of the reader (message in Chinese, for the user)."""


def size_text(n: int) -> str:
    if n >= 1024 * MB:
        return f"{n / (1024 * MB):.1f} GB"
    return f"{n / MB:.0f} MB" if n >= MB else f"{max(n, 1) / 1024:.0f} KB"


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int] | None:
    """Rows and columns spanned by a dimension such as ``A1:XFD1048576`` (or ``B2``); None if unreadable."""
    ends = []
    for part in ref.strip().split(":")[:2]:
        m = CELL.match(part.strip())
        if not m:
            return None
        ends.append((int(m.group(2)), column_number(m.group(1))))
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


def check_xlsx(path: str | Path, limits: Limits) -> None:
    """Raise ``Refused`` when the xlsx at ``path`` is larger than the limits allow; never extracts it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (an old .xls, a broken file): the reader says what is wrong, inside the child
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise Refused(f"Excel 文件包含 {len(members)} 个内部部件，超过上限 {limits.max_members}，不像正常的 xlsx 文件")
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > limits.max_member:
                raise Refused(
                    f"Excel 文件中的部件解压后有 {size_text(info.file_size)}，超过单个部件上限 {size_text(limits.max_member)}；"
                    "请删除多余的内容或拆分文件后重新上传"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_from and ratio > limits.max_ratio:
                raise Refused(
                    f"Excel 文件中的部件压缩比异常（{ratio:.0f} 倍，上限 {limits.max_ratio} 倍，解压后 {size_text(info.file_size)}），"
                    "疑似压缩炸弹，已拒绝读取"
                )
        if total > limits.max_uncompressed:
            raise Refused(
                f"Excel 文件解压后共 {size_text(total)}，超过上限 {size_text(limits.max_uncompressed)}；请拆分文件或改用 CSV 后重新上传"
            )
        for info in members:
            found = SHEET_PART.search(info.filename)
            if found:
                _check_dimension(archive, info, f"第{found.group(1)}个工作表", limits)


def _check_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> None:
    try:
        with archive.open(info) as part:
            head = part.read(HEAD_BYTES)  # decompresses only this much
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return  # a damaged or encrypted part: the reader reports it
    m = DIMENSION.search(head.split(b"<sheetData", 1)[0])
    if m is None:
        return
    ref = m.group(1).decode("ascii")
    spans = parse_ref(ref)
    if spans is None:
        return
    rows, columns = spans
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_cells:
        raise Refused(
            f"{label}声明的数据范围为 {ref}（{rows} 行 × {columns} 列），"
            f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格）；"
            "请删除多余的空行、空列或拆分文件后重新上传"
        )
