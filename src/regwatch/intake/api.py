"""POST /api/v1/intake/push/<source code>/: partner systems push batches of JSON records.

Authenticated by token (or session); the caller needs ``intake.push_source``.  The body is
``{"records": [{...}, ...]}``; each record is mapped and validated like a file row, idempotent by the
source reference the mapping derives.  Larger bodies than ``REGWATCH_PUSH_MAX_BYTES`` (default 5 MB)
are refused with 413 before they are read.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Source
from .pipeline import IntakeError, ingest_records, summary

MAX_RECORDS = 10_000


def max_bytes() -> int:
    return int(os.environ.get("REGWATCH_PUSH_MAX_BYTES", 5 * 1024 * 1024))


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "请求数据过大"
    default_code = "payload_too_large"


class CanPush(permissions.BasePermission):
    message = "您没有通过接口推送数据的权限"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm("intake.push_source"))


class PushView(APIView):
    permission_classes = [CanPush]
    parser_classes: list[Any] = []  # the body is read and size-checked here, not by a parser

    def post(self, request: Request, code: str) -> Response:
        limit = max_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge(f"请求体 {length} 字节，超过上限 {limit} 字节；请分批推送")
        body = request._request.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(f"请求体超过上限 {limit} 字节；请分批推送")
        if not (request.content_type or "").startswith("application/json"):
            raise exceptions.UnsupportedMediaType(request.content_type, "只接受 application/json")
        source = get_object_or_404(Source, code=code)
        if source.status != Source.Status.ACTIVE:
            raise exceptions.PermissionDenied("该数据源已暂停或停用")
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise exceptions.ParseError(f"请求体不是合法的 UTF-8 JSON：{exc}") from None
        except RecursionError:
            raise exceptions.ParseError("请求体 JSON 嵌套层数过深，无法解析") from None
        records = payload.get("records") if isinstance(payload, dict) else None
        if not isinstance(records, list) or not records:
            raise exceptions.ValidationError({"records": ["应为非空的对象数组"]})
        if len(records) > MAX_RECORDS:
            raise exceptions.ValidationError({"records": [f"一次最多推送 {MAX_RECORDS} 条"]})
        try:
            batch = ingest_records(source, records, user=request.user)
        except IntakeError as exc:
            raise exceptions.ValidationError({"source": [str(exc)]}) from None
        result = summary(batch)
        result["rejected"] = [
            {"index": q.row_number, "reasons": [r["message"] for r in q.reasons]} for q in batch.quarantine.order_by("row_number")[:1000]
        ]
        return Response(result, status=200)
