from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
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

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="主体当前等级与评分解释")
    def get(self, request: Request, subject_id: int) -> Response:
        if not request.user.has_perm("scoring.view_currentgrade"):
            raise exceptions.PermissionDenied("您没有查看评分结果的权限")
        subject: Any = get_object_or_404(visible(Subject.objects.all(), request.user), pk=subject_id)
        data = current_explanation(subject.pk)
        if data is None:
            raise exceptions.NotFound("该主体尚无已发布的评分")
        return Response(data)
