"""File uploads: size limits checked before the body is read, and files hashed while they stream in.

``UploadMiddleware`` handles every ``multipart/form-data`` request before anything reads its body
(CSRF reads ``request.POST`` in its own ``process_view``, so this middleware sits before it):

1. A declared ``Content-Length`` above the view's limit is answered with 413 at once, without
   reading the body.
2. Otherwise the body is parsed here with ``StreamingUploadHandler``: every file goes to a
   temporary file in chunks (never whole into memory), is hashed with the evidence ledger's
   algorithm chunk by chunk, and the bytes are counted, so a body without ``Content-Length``
   (chunked transfer) is cut off as soon as it passes the limit.

The hashing happens here, outside any database transaction: callers find ``upload.digest`` and
``upload.digest_algorithm`` on each file and only record them (see ``audit.ledger.upload_digest``).

Limits come from settings (``REGWATCH_UPLOAD_MAX_BYTES`` for attachments and any other upload;
a view names another setting with ``@upload_limit("REGWATCH_INTAKE_MAX_BYTES")``).  The UI gets a
Chinese page, ``/api/`` a 413 problem document.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from regwatch.audit.ledger import Hasher

from .redirects import safe_next

DEFAULT_SETTING = "REGWATCH_UPLOAD_MAX_BYTES"
F = TypeVar("F", bound=Callable[..., Any])


def upload_limit(setting: str) -> Callable[[F], F]:
    """Give a view its own size limit, named by the setting that holds it."""

    def mark(view: F) -> F:
        view.upload_limit_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


def limit_of(view: Any) -> int:
    return int(getattr(settings, getattr(view, "upload_limit_setting", DEFAULT_SETTING)))


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class StreamingUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that also hashes each file and counts the body's file bytes."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False
        self.hasher: Hasher | None = None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.hasher = Hasher()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            # connection_reset: stop reading at once instead of draining an endless body.
            raise StopUpload(connection_reset=True)
        assert self.hasher is not None
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        upload: Any = super().file_complete(file_size)
        assert self.hasher is not None
        upload.digest = self.hasher.hexdigest()
        upload.digest_algorithm = self.hasher.algorithm
        return upload


def too_large(request: HttpRequest, limit: int, length: int | None = None) -> HttpResponse:
    detail = f"上传的文件超过大小上限 {megabytes(limit)}" + (f"（本次 {megabytes(length)}）" if length else "") + "，请压缩或拆分后重新上传"
    if request.path.startswith("/api/"):
        from regwatch.api.problems import json_problem

        return json_problem(request, 413, detail, limit_bytes=limit)
    back = safe_next(request, "", request.headers.get("referer", ""))
    return render(request, "web/413.html", {"detail": detail, "back": back}, status=413)


class UploadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "multipart/form-data":
            return None
        limit = limit_of(view)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, limit, length)
        api_view = getattr(view, "cls", None)  # a DRF view
        if api_view is not None and not any(p.media_type == "multipart/form-data" for p in api_view().get_parsers()):
            return None  # it takes no files; DRF answers 415 without parsing the body
        handler = StreamingUploadHandler(request, limit)
        request.upload_handlers = [handler]
        request.POST  # noqa: B018 - parse now, so an over-long chunked body is a 413 here and not a half-read form later
        if handler.too_large:
            return too_large(request, limit)
        return None


# Types a browser may be told a downloaded file is; anything else (HTML, SVG, scripts, unknown) goes
# out as application/octet-stream, so a stored upload can never run as a page of this site.
SAFE_DOWNLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".zip": "application/zip",
}


def download_response(stored: Any, filename: str) -> FileResponse:
    """A stored upload as a download: always ``attachment`` (never shown inline), the original
    name in Content-Disposition (RFC 5987 ``filename*`` for Chinese names), a whitelisted type or
    ``application/octet-stream``, ``nosniff``, and a sandboxing CSP should a browser open it anyway.
    A file missing from storage is a 404."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("文件不存在") from exc
    kind = SAFE_DOWNLOAD_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
