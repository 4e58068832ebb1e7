"""OpenAPI post-processing: every operation documents its problem-document errors, and the
Swagger page reads in Chinese: tags are the object types' Chinese names, and an operation without
its own summary gets one from its tag and action (主体列表, 新增主体...)."""

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


# drf-spectacular's operationId suffixes of the generic viewsets, and the words they become.
ACTIONS = {
    "list": "{}列表",
    "retrieve": "查看{}",
    "create": "新增{}",
    "update": "修改{}",
    "partial_update": "部分修改{}",
    "destroy": "删除{}",
}
METHODS = {"get": "查询", "post": "提交", "put": "修改", "patch": "部分修改", "delete": "删除"}
# Path segments under /api/v1/ that are not registered object types (bespoke endpoints).
SEGMENTS = {
    "ops": "后台任务",
    "intake": "数据归集",
    "quality": "数据质量",
    "catalog": "数据目录",
    "indicators": "风险指标",
    "scoring": "评分评级",
    "warnings": "风险预警",
    "workorders": "工单处置",
    "notifications": "消息通知",
    "auth": "认证",
    "token": "认证",
    "schema": "接口文档",
}
STATUS_TEXT = {"200": "成功", "201": "已创建", "204": "已删除，无返回内容"}


def _tag_names() -> dict[str, str]:
    from regwatch.web.registry import REGISTRY

    return {**SEGMENTS, **{slug: otype.title for slug, otype in REGISTRY.items()}}


def chinese_operations(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    names = _tag_names()
    used: dict[str, str] = {}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            tags = [names.get(t, t) for t in operation.get("tags", [])]
            operation["tags"] = tags
            subject = tags[0] if tags else "接口"
            if not operation.get("summary"):
                op_id = str(operation.get("operationId", ""))
                action = next((a for a in sorted(ACTIONS, key=len, reverse=True) if op_id.endswith("_" + a)), None)
                operation["summary"] = ACTIONS[action].format(subject) if action else f"{subject}：{METHODS.get(method, method)}"
            for code, response in operation.get("responses", {}).items():
                if code in STATUS_TEXT and response.get("description") in ("", None, "No response body"):
                    response["description"] = STATUS_TEXT[code]
            for tag in tags:
                used.setdefault(tag, tag)
    result["tags"] = [{"name": t, "description": f"{t}相关接口"} for t in sorted(used)]
    return result
