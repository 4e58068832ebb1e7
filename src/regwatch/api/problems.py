"""Errors as RFC 9457 problem documents (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from . import throttling

TITLES = {
    400: "请求数据有误",
    401: "未登录或认证失败",
    403: "没有权限",
    404: "资源不存在",
    405: "不支持该请求方法",
    406: "不支持的响应格式",
    409: "与已有数据冲突",
    413: "请求数据过大",
    415: "不支持的数据格式",
    429: "请求过于频繁",
    500: "服务器内部错误",
}
CONTENT_TYPE = "application/problem+json"


def problem(status_code: int, detail: Any = None, errors: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status_code, "请求失败"), "status": status_code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = throttling.refused_caller(exc, context)  # 401s count against the anonymous rate (api/throttling.py)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(problem(409, "该数据仍被其他数据引用，不能删除"), status=409, content_type=CONTENT_TYPE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if set(_flat_codes(exc.get_codes())) == {"unique"}:
            response.status_code = status.HTTP_409_CONFLICT
            body = problem(409, "已存在相同标识的数据", errors=data)
        else:
            body = problem(response.status_code, "提交的数据未通过校验", errors=data)
    elif isinstance(exc, exceptions.Throttled):
        wait = getattr(exc, "wait", None)  # whole seconds, also sent as Retry-After
        body = problem(429, throttling.retry_detail(wait), retry_after=wait)
    else:
        detail = data.get("detail") if isinstance(data, dict) else data
        body = problem(response.status_code, str(detail) if detail else None)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def _flat_codes(codes: Any) -> list[str]:
    if isinstance(codes, dict):
        return [c for v in codes.values() for c in _flat_codes(v)]
    if isinstance(codes, list):
        return [c for v in codes for c in _flat_codes(v)]
    return [str(codes)]


def json_problem(request: HttpRequest, status_code: int, detail: str | None = None, **extra: Any) -> JsonResponse:
    return JsonResponse(
        problem(status_code, detail, instance=request.path, **extra),
        status=status_code,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def handler404(request: HttpRequest, exception: Exception | None = None) -> Any:
    if request.path.startswith("/api/"):
        return json_problem(request, status.HTTP_404_NOT_FOUND)
    from django.shortcuts import render
    from django.urls import Resolver404, resolve

    # Back to the list the missing object would belong to: /subjects/123/ -> /subjects/.
    first = request.path.strip("/").split("/")[0]
    back = f"/{first}/" if first and request.path.strip("/") != first else ""
    try:
        resolve(back) if back else None
    except Resolver404:
        back = ""
    return render(request, "web/404.html", {"back_url": back}, status=status.HTTP_404_NOT_FOUND)


def handler500(request: HttpRequest) -> Any:
    if request.path.startswith("/api/"):
        return json_problem(request, status.HTTP_500_INTERNAL_SERVER_ERROR, "请稍后重试或联系管理员")
    from django.views.defaults import server_error

    return server_error(request, template_name="web/500.html")


def handler403(request: HttpRequest, exception: Exception | None = None) -> Any:
    if request.path.startswith("/api/"):
        return json_problem(request, status.HTTP_403_FORBIDDEN, str(exception) if exception else None)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception or DjangoPermissionDenied(), template_name="web/403.html")
