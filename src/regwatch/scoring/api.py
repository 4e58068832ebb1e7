from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regwatch.accounts.scope import visible
from regwatch.subjects.models import Subject

from .explain import current_explanation


class SubjectExplanation(APIView):
    """The grade in force for a subject and its explanation (评分解释)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="主体当前等级与评分解释",
        description=(
            "`scheme` 与 `scheme_name` 说明等级所属的等级方案；`schemes` 列出该主体有评分的全部等级方案，可用查询参数 `scheme` 选择。"
        ),
        parameters=[OpenApiParameter("scheme", str, description="等级方案编码（默认：该主体的第一个等级方案）")],
    )
    def get(self, request: Request, subject_id: int) -> Response:
        if not request.user.has_perm("scoring.view_currentgrade"):
            raise exceptions.PermissionDenied("您没有查看评分结果的权限")
        subject: Any = get_object_or_404(visible(Subject.objects.all(), request.user), pk=subject_id)
        wanted = request.query_params.get("scheme") or None
        data = current_explanation(subject.pk, wanted)
        if data is None:
            raise exceptions.NotFound("该主体尚无已发布的评分")
        if wanted and data["scheme"] != wanted:
            raise exceptions.NotFound(f"该主体在等级方案“{wanted}”下没有评分")
        return Response(data)
