from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination that refuses a malformed ``page`` or ``page_size`` instead of silently ignoring it."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Any) -> int | None:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if len(raw) == 1 and raw[0].isdecimal() and 1 <= int(raw[0]) <= self.max_page_size:
            return int(raw[0])
        raise ValidationError({self.page_size_query_param: [f"每页条数应为 1 到 {self.max_page_size} 之间的整数"]})

    def get_page_number(self, request: Any, paginator: Any) -> int | str:
        raw = request.query_params.getlist(self.page_query_param)
        if not raw:
            return 1
        if len(raw) == 1 and raw[0].isdecimal() and int(raw[0]) >= 1:
            return raw[0]
        raise ValidationError({self.page_query_param: ["页码应为正整数"]})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if p["name"] == self.page_query_param:
                p["schema"] = {"type": "integer", "minimum": 1}
        return params
