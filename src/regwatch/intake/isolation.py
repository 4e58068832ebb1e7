"""Read untrusted files in a child process with memory and CPU-time limits.

A reader that blows up on a hostile file (calamine aborting on a 512 GB allocation, a MemoryError,
an endless parse) takes down only the child: ``open_isolated`` turns the child's error message,
death or silence into ``ReadError`` with a Chinese reason, and the pipeline fails that batch.
The task worker, which also runs scoring, deadlines and notifications, keeps running.

Rows stream: the child writes them as it reads (``intake.reader_child``) and blocks when the
pipe is full, so the pipeline consumes them chunk by chunk with its usual progress reporting.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, fields
from pathlib import Path
from typing import IO, Any

from django.conf import settings

import regwatch

from .reader_child import decode
from .readers import Opened, ReadError, Row
from .safety import Limits

log = logging.getLogger(__name__)

SETTINGS = {  # Limits field -> setting (docs/intake.md lists them)
    "max_uncompressed": "REGWATCH_XLSX_MAX_UNCOMPRESSED_BYTES",
    "max_member": "REGWATCH_XLSX_MAX_MEMBER_BYTES",
    "max_ratio": "REGWATCH_XLSX_MAX_RATIO",
    "max_rows": "REGWATCH_XLSX_MAX_ROWS",
    "max_columns": "REGWATCH_XLSX_MAX_COLUMNS",
    "max_cells": "REGWATCH_XLSX_MAX_CELLS",
    "memory_mb": "REGWATCH_INTAKE_READER_MEMORY_MB",
    "cpu_seconds": "REGWATCH_INTAKE_READER_CPU_SECONDS",
    "timeout_seconds": "REGWATCH_INTAKE_READER_TIMEOUT_SECONDS",
}


KEPT_ENV = {"PATH", "PYTHONPATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"}


def limits() -> Limits:
    defaults = Limits()
    values = {f.name: int(getattr(settings, SETTINGS[f.name], getattr(defaults, f.name))) for f in fields(Limits) if f.name in SETTINGS}
    return Limits(**values)


class Child:
    """The running reader child and the line protocol on its stdout."""

    def __init__(self, path: str | Path, lim: Limits) -> None:
        self.limits = lim
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child; close() closes it
        # A bare environment: a reader subverted by a file finds no database URL or secret key in it.
        env = {k: v for k, v in os.environ.items() if k in KEPT_ENV}
        code_root = str(Path(regwatch.__file__).resolve().parent.parent)
        env["RUST_BACKTRACE"] = "0"  # one line ("memory allocation of … failed") in the log, not a stack
        env["PYTHONPATH"] = os.pathsep.join(p for p in (code_root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "regwatch.intake.reader_child", str(path), json.dumps(asdict(lim))],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            close_fds=True,
        )
        assert self.proc.stdout is not None
        self.fd = self.proc.stdout.fileno()
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)

    def next(self) -> dict[str, Any]:
        """The child's next message; ``ReadError`` when it died, went silent or sent nothing readable."""
        while b"\n" not in self.buffer:
            if not self.selector.select(timeout=self.limits.timeout_seconds):
                self.close()
                raise ReadError(f"读取文件超过 {self.limits.timeout_seconds} 秒没有进展，已停止；请检查文件或拆分后重新上传")
            data = os.read(self.fd, 1 << 20)
            if not data:
                raise ReadError(self._death())
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            self.close()
            raise ReadError("读取文件的进程返回了无法识别的内容，已停止") from None
        if not isinstance(message, dict):
            self.close()
            raise ReadError("读取文件的进程返回了无法识别的内容，已停止")
        return message

    def _death(self) -> str:
        code = self.proc.wait()
        tail = self.tail()
        self.close()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            log.warning("intake reader child died by %s: %s", name, tail)
            if -code == signal.SIGXCPU:
                return f"读取文件超过 CPU 时间上限（{self.limits.cpu_seconds} 秒），已停止；请拆分文件后重新上传"
            return (
                f"读取文件的进程异常终止（{name}）：文件可能声明了过大的表格、内容超出内存上限"
                f"（{self.limits.memory_mb} MB）或已损坏；请检查文件后重新上传"
            )
        log.warning("intake reader child exited with %s: %s", code, tail)
        return f"读取文件的进程意外退出（退出码 {code}），文件未能读取；请检查文件后重新上传"

    def tail(self) -> str:
        try:
            self.stderr.seek(0, os.SEEK_END)
            self.stderr.seek(max(0, self.stderr.tell() - 2000))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        """Stop the child (if it still runs) and reap it; safe to call more than once."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.selector.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()


def open_isolated(path: str | Path, lim: Limits | None = None) -> Opened:
    """Like ``readers.open_file``, but the reading happens in a limited child process.

    Call ``Opened.close()`` when done (also when the rows were never read): it stops the child.
    """
    child = Child(path, lim or limits())
    first = child.next()
    if "error" in first or "opened" not in first:
        child.close()
        raise ReadError(str(first.get("error") or "读取文件的进程返回了无法识别的内容"))
    meta = first["opened"]
    notes: list[str] = list(meta.get("notes") or [])

    def rows() -> Iterator[Row]:
        try:
            while True:
                message = child.next()
                if "rows" in message:
                    yield from (decode(item) for item in message["rows"])
                elif "end" in message:
                    notes.extend(n for n in message["end"].get("notes", []) if n not in notes)
                    return
                else:
                    raise ReadError(str(message.get("error") or "读取文件的进程返回了无法识别的内容"))
        finally:
            child.close()

    return Opened(str(meta["format"]), str(meta["encoding"]), rows(), notes, list(meta.get("headers") or []), close=child.close)
