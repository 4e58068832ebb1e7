"""The reader child: ``python -m regwatch.intake.reader_child FILE LIMITS_JSON`` (started by ``intake.isolation``).

It limits its own address space and CPU time first, checks an xlsx (``intake.safety``), opens the
file with ``intake.readers`` and writes what it reads to stdout, one JSON message a line:

    {"opened": {"format", "encoding", "headers", "notes"}}   once, first
    {"rows": [[number, sheet, values, problems, typed], ...]}  as many as needed
    {"end": {"notes": [...]}}                                  last
    {"error": "中文原因"}                                       instead of any of these, at any point

Values that JSON cannot carry (dates and times from Excel) travel in ``typed`` as
``{column: [kind, text]}``; the parent rebuilds them.  No pickle crosses the pipe: a reader
broken by a hostile file must not be able to run code in the task worker.  This module imports
no Django.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import traceback
from pathlib import Path
from typing import IO, Any

from .readers import ReadError, Row, open_file
from .safety import Limits, Refused, check_xlsx

ROWS_PER_MESSAGE = 500
XLSX = (".xlsx", ".xlsm")


def encode(row: Row) -> list[Any]:
    values: dict[str, Any] = {}
    typed: dict[str, list[Any]] = {}
    for k, v in row.values.items():
        if isinstance(v, dt.datetime):
            typed[k] = ["datetime", v.isoformat()]
        elif isinstance(v, dt.date):
            typed[k] = ["date", v.isoformat()]
        elif isinstance(v, dt.time):
            typed[k] = ["time", v.isoformat()]
        elif isinstance(v, dt.timedelta):
            typed[k] = ["timedelta", v.total_seconds()]
        elif v is None or isinstance(v, str | int | float | bool | list | dict):
            values[k] = v
        else:
            values[k] = str(v)
    return [row.number, row.sheet, values, row.problems, typed]


def decode(item: list[Any]) -> Row:
    number, sheet, values, problems, typed = item
    for k, (kind, text) in typed.items():
        if kind == "datetime":
            values[k] = dt.datetime.fromisoformat(text)
        elif kind == "date":
            values[k] = dt.date.fromisoformat(text)
        elif kind == "time":
            values[k] = dt.time.fromisoformat(text)
        elif kind == "timedelta":
            values[k] = dt.timedelta(seconds=float(text))
    return Row(int(number), values, str(sheet), list(problems))


def limit_self(limits: Limits) -> None:
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # soft: SIGXCPU at the limit; hard, a little later: SIGKILL if the soft signal is ignored
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))


def stream(path: str, limits: Limits, send: Any) -> None:
    if Path(path).suffix.lower() in XLSX:
        check_xlsx(path, limits)
    opened = open_file(path)
    send({"opened": {"format": opened.format, "encoding": opened.encoding, "headers": opened.headers, "notes": opened.notes}})
    chunk: list[list[Any]] = []
    for row in opened.rows:
        chunk.append(encode(row))
        if len(chunk) >= ROWS_PER_MESSAGE:
            send({"rows": chunk})
            chunk = []
    if chunk:
        send({"rows": chunk})
    send({"end": {"notes": opened.notes}})  # notes added while reading (empty sheets)


def main(argv: list[str] | None = None) -> None:
    path, limits_json = (argv or sys.argv[1:])[:2]
    limits = Limits(**json.loads(limits_json))
    out: IO[bytes] = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else writes to stdout (a native library) goes to stderr, not into the protocol

    def send(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
        out.flush()

    limit_self(limits)
    try:
        stream(path, limits, send)
    except BrokenPipeError:
        os._exit(0)  # the pipeline stopped reading (it failed or was cancelled)
    except (ReadError, Refused) as exc:
        send({"error": str(exc)})
    except RecursionError:
        send({"error": "文件中的数据嵌套层数过深，无法读取；请检查文件是否损坏或由程序错误生成"})
    except MemoryError:
        send({"error": f"读取文件时超出内存上限（{limits.memory_mb} MB）：文件内容过大或声明了过大的表格；请拆分文件后重新上传"})
    except BaseException as exc:  # noqa: BLE001 - a reader's own error types (calamine's panics are BaseException)
        traceback.print_exc()
        send({"error": f"无法读取文件：读取程序出错（{type(exc).__name__}），文件可能已损坏或格式不受支持"})
    out.close()


if __name__ == "__main__":
    main()
