"""Streaming readers for CSV (encoding detected), Excel (xlsx, every sheet) and JSON / JSON Lines.

Each reader yields ``Row`` objects one at a time.  A file that cannot be read at all raises
``ReadError`` with a Chinese message; a row that is malformed (too many or too few columns,
undecodable bytes) is still yielded with ``problems`` so it lands in quarantine and is counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256 * 1024
MAX_DEPTH = 64  # nesting of one JSON item; deeper items are quarantined (and whole files past ~1000 refused)
TOO_DEEP = "JSON 嵌套层数过深（超过约 1000 层），无法读取；请检查文件是否损坏或由程序错误生成"
csv.field_size_limit(10 * 1024 * 1024)


class ReadError(Exception):
    """The file cannot be read at all (the message is for the user, in Chinese)."""


@dataclass
class Row:
    number: int  # 1-based data row number as a person sees it in the file (header is row 1 in CSV/Excel)
    values: dict[str, Any]
    sheet: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class Opened:
    format: str
    encoding: str
    rows: Iterator[Row]
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None  # releases what reads the rows (the reader child)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a multi-byte character cut by the sample boundary
            return "utf-8"
    best = from_bytes(sample, cp_isolation=["utf_8", "gb18030", "gbk", "gb2312", "big5"]).best()
    if best is None and _decodes(sample, "gb18030"):
        return "gb18030"  # too short for a statistical verdict (a two-line GBK file), but valid GB18030
    if best is None:
        raise ReadError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件")
    enc = best.encoding.lower()
    # GBK and GB2312 are subsets of GB18030; decoding as GB18030 never loses a character they hold.
    return "gb18030" if enc in ("gbk", "gb2312", "gb18030", "cp936") else enc


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # only a character cut by the sample boundary
    return True


def _header(values: list[Any]) -> list[str]:
    headers = [str(v).strip().lstrip("\ufeff") if v is not None else "" for v in values]
    if not any(headers):
        raise ReadError("表头为空：第一行应为列名")
    seen: set[str] = set()
    for i, h in enumerate(headers):
        if not h:
            headers[i] = h = f"第{i + 1}列"
        if h in seen:
            raise ReadError(f"表头中列名“{h}”重复")
        seen.add(h)
    return headers


def _pair(headers: list[str], values: list[Any], number: int, sheet: str = "", short_ok: bool = False) -> Row:
    row = Row(number, {}, sheet)
    for i, h in enumerate(headers):
        row.values[h] = values[i] if i < len(values) else None
    extra = [v for v in values[len(headers) :] if v not in (None, "")]
    if extra:
        row.problems.append(f"列数（{len(values)}）多于表头（{len(headers)}），多出的内容：{'、'.join(str(v)[:20] for v in extra[:3])}")
        row.values["_extra"] = [str(v) for v in extra]
    elif len(values) < len(headers) and not short_ok:
        row.problems.append(f"列数（{len(values)}）少于表头（{len(headers)}），文件可能被截断")
    return row


def read_csv(stream: IO[bytes], name: str = "") -> Opened:
    sample = stream.read(SAMPLE_BYTES)
    if not sample.strip():
        raise ReadError("文件为空")
    if b"\x00" in sample[:4096] and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError("文件不是文本格式的 CSV（包含二进制内容）")
    encoding = detect_encoding(sample)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text.readline()
    # Only the delimiter is guessed (from the header); quoting follows RFC 4180 as Excel writes it.
    delimiter = max(",\t;|", key=lambda d: (first.count(d), d == ","))

    class dialect(csv.excel):
        pass

    dialect.delimiter = delimiter
    reader = csv.reader(text, dialect)
    try:
        headers = _header(next(csv.reader([first], dialect)))
    except StopIteration:
        raise ReadError("文件为空") from None

    def rows() -> Iterator[Row]:
        number = 1
        try:
            for values in reader:
                number += 1
                if not values or all(not v.strip() for v in values):
                    continue
                row = _pair(headers, values, number)
                if any("\ufffd" in v for v in values):
                    row.problems.append(f"含无法按 {encoding} 解码的字符，请检查文件编码")
                yield row
        except csv.Error as exc:
            # an unterminated quote at the end of a truncated file
            yield Row(number + 1, {"_raw": str(exc)}, problems=[f"第{number + 1}行格式错误（{exc}），文件可能被截断"])

    return Opened("csv", encoding, rows(), headers=headers)


def read_xlsx(path: str | Path) -> Opened:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for broken archives
        raise ReadError(f"无法读取 Excel 文件（文件损坏或不是 xlsx 格式）：{str(exc)[:100]}") from None
    sheets = list(wb.sheet_names)
    notes: list[str] = []
    all_headers: list[str] = []

    def cell(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return v

    def rows() -> Iterator[Row]:
        for name in sheets:
            data = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if not data or not any(str(v).strip() for v in data[0]):
                notes.append(f"工作表“{name}”为空，已跳过")
                continue
            try:
                headers = _header(data[0])
            except ReadError as exc:
                notes.append(f"工作表“{name}”已跳过：{exc}")
                continue
            for i, values in enumerate(data[1:], start=2):
                vals = [cell(v) for v in values]
                while vals and vals[-1] in ("", None):
                    vals.pop()
                if not vals:
                    continue
                yield _pair(headers, vals, i, name, short_ok=True)  # Excel drops trailing empty cells

    # Check the first sheet opens now so a broken file fails before a batch starts.
    if not sheets:
        raise ReadError("Excel 文件中没有工作表")
    try:
        first = wb.get_sheet_by_name(sheets[0]).to_python()
    except Exception as exc:  # noqa: BLE001 - see above
        raise ReadError(f"无法读取工作表“{sheets[0]}”：{str(exc)[:100]}") from None
    if first:
        all_headers = [str(v) for v in first[0]]
    if not first and len(sheets) == 1:
        raise ReadError("文件为空")
    return Opened("xlsx", "", rows(), notes, all_headers)


def depth(value: Any, stop: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of a JSON value (a scalar is 0), counted without recursion and up to ``stop``."""
    deepest, level = 0, [(value, 0)]
    while level:
        item, d = level.pop()
        if isinstance(item, dict | list) and item:
            deepest = max(deepest, d + 1)
            if deepest >= stop:
                return deepest
            level.extend((v, d + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_row(number: int, item: Any, raw: str | None = None, what: str = "该条") -> Row:
    """One JSON item as a row: objects within ``MAX_DEPTH`` levels; anything else with its problem."""
    if not isinstance(item, dict):
        return Row(number, {"_raw": (raw or _dumps(item))[:1000]}, problems=[f"{what}不是 JSON 对象"])
    if depth(item) > MAX_DEPTH:
        return Row(number, {"_raw": (raw or _dumps(item))[:1000]}, problems=[f"{what}嵌套层数超过 {MAX_DEPTH} 层，无法按字段读取"])
    return Row(number, item)


def _dumps(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False)
    except RecursionError:  # nested close to the interpreter's limit
        return ""


def read_json(stream: IO[bytes]) -> Opened:
    sample = stream.read(SAMPLE_BYTES)
    if not sample.strip():
        raise ReadError("文件为空")
    encoding = detect_encoding(sample)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace")
    head = sample.lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"["):
        try:
            data = json.load(text)
        except json.JSONDecodeError as exc:
            raise ReadError(f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列），文件可能被截断") from None
        except RecursionError:
            raise ReadError(TOO_DEEP) from None

        def array_rows() -> Iterator[Row]:
            for i, item in enumerate(data, start=1):
                yield json_row(i, item)

        return Opened("json", encoding, array_rows())

    def lines() -> Iterator[Row]:
        for i, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                yield Row(i, {"_raw": line[:1000]}, problems=[f"第{i}行不是合法的 JSON，文件可能被截断"])
                continue
            except RecursionError:
                yield Row(i, {"_raw": line[:1000]}, problems=[f"第{i}行 JSON 嵌套层数过深，无法读取"])
                continue
            yield json_row(i, item, line, "该行")

    if not head.startswith(b"{"):
        raise ReadError("文件既不是 JSON 数组也不是 JSON Lines")
    return Opened("jsonl", encoding, lines())


def open_file(path: str | Path) -> Opened:
    """Open by extension (.csv/.txt, .xlsx/.xlsm, .json/.jsonl); raise ReadError for anything unreadable."""
    p = Path(path)
    if not p.exists():
        raise ReadError(f"文件不存在：{p}")
    if p.is_dir():
        raise ReadError(f"这是一个目录，不是文件：{p}")
    if os.path.getsize(p) == 0:
        raise ReadError("文件为空")
    ext = p.suffix.lower()
    if ext in (".xlsx", ".xlsm", ".xls"):
        return read_xlsx(p)
    if ext in (".json", ".jsonl", ".ndjson"):
        return read_json(p.open("rb"))
    if ext in (".csv", ".txt", ".tsv", ""):
        return read_csv(p.open("rb"), p.name)
    raise ReadError(f"不支持的文件类型“{ext}”：请上传 CSV、Excel（xlsx）或 JSON 文件")
