"""OpenAPI post-processing: every operation documents its problem-document errors."""

from __future__ import annotations

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem document",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "请求数据有误",
    "401": "未登录或认证失败",
    "403": "没有权限",
    "404": "资源不存在",
    "409": "与已有数据冲突",
    "413": "请求数据过大",
    "429": "请求过于频繁",
}


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for param in operation.get("parameters", []):
                # Filters share django-filter's convention with the UI's GET forms: an empty value means "any".
                if param.get("in") == "query" and param["name"] not in ("page", "page_size"):
                    param["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result
