"""Alert pool API: list/read warnings, review, and push external alerts into the pool."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regwatch.accounts.scope import visible
from regwatch.api.permissions import ModelPermissions
from regwatch.api.problems import CONTENT_TYPE as PROBLEM_TYPE
from regwatch.api.problems import problem
from regwatch.api.viewsets import StrictCharField, StrictIntegerField
from regwatch.subjects.models import Subject
from regwatch.web.services import require, require_in_scope

from . import services
from .filtersets import WarningFilterSet
from .firing import fire, open_warning
from .models import Level, Outcome, Warning


class WarningSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    # Declared so the schema allows the empty outcome of a warning not yet concluded (read-only
    # model fields lose allow_blank, and the schema would then promise a value that is absent).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Warning
        fields = [
            "id",
            "subject",
            "subject_name",
            "rule",
            "rule_key",
            "source",
            "external_ref",
            "level",
            "title",
            "message",
            "data",
            "status",
            "outcome",
            "review_reason",
            "reviewed_at",
            "hit_count",
            "first_at",
            "last_at",
            "closed_at",
            "snoozed_until",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("confirm", "确认"), ("dismiss", "排除")])
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class ExternalAlertSerializer(serializers.Serializer):
    subject = StrictIntegerField(min_value=1)
    source = StrictCharField(max_length=40)  # type: ignore[assignment]
    alert_type = StrictCharField(max_length=50)
    level = serializers.ChoiceField(choices=Level.choices)
    title = StrictCharField(max_length=200)
    message = StrictCharField(max_length=2000)
    external_ref = StrictCharField(max_length=128, required=False, allow_blank=True, default="")


class PushResultSerializer(serializers.Serializer):
    created = serializers.BooleanField()
    warning = WarningSerializer()


def _scoped(request: Request) -> Any:
    return services.scoped(request.user).order_by("-first_at", "-id")


class WarningList(generics.ListAPIView):
    serializer_class = WarningSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    filterset_class = WarningFilterSet
    queryset = Warning.objects.none()

    def get_queryset(self) -> Any:
        return _scoped(self.request)


class WarningDetail(generics.RetrieveAPIView):
    serializer_class = WarningSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    queryset = Warning.objects.none()

    def get_queryset(self) -> Any:
        return _scoped(self.request)


class WarningReview(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReviewSerializer, responses={200: WarningSerializer})
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "warnings.change_warning")
        w = get_object_or_404(_scoped(request), pk=pk)
        s = ReviewSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        w = services.review(request.user, w, s.validated_data["decision"], s.validated_data["reason"])
        return Response(WarningSerializer(w).data)


class ExternalAlertPush(APIView):
    """External systems push alerts into the same pool (deduplicated per subject and source:type)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ExternalAlertSerializer, responses={201: PushResultSerializer, 200: PushResultSerializer})
    def post(self, request: Request) -> Response:
        require(request.user, "warnings.add_warning")
        s = ExternalAlertSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        subject = get_object_or_404(visible(Subject.objects.select_related("kind", "region"), request.user), pk=d["subject"])
        key = f"ext:{d['source']}:{d['alert_type']}"
        probe = Warning(subject=subject)
        require_in_scope(request.user, probe)
        w = fire(
            subject,
            rule_key=key,
            level=d["level"],
            title=d["title"],
            message=d["message"],
            source=d["source"],
            external_ref=d["external_ref"],
            context={"alert_type": d["alert_type"]},
        )
        created = w is not None
        w = w or open_warning(subject.pk, key)
        if w is None:  # suppressed for this subject
            return Response(problem(409, "该主体的此类预警已被屏蔽"), status=409, content_type=PROBLEM_TYPE)
        return Response(
            {"created": created, "warning": WarningSerializer(w).data}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
