"""Work-order API: queue listing, detail with steps, transitions (refusals as problem documents), ledger verification."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from regwatch.api.permissions import ModelPermissions
from regwatch.api.problems import CONTENT_TYPE, problem
from regwatch.api.viewsets import StrictCharField
from regwatch.audit.ledger import verify
from regwatch.web.services import require

from . import workflow
from .models import WorkOrder, WorkOrderStep
from .queue import scoped


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrderStep
        fields = ["seq", "action", "action_name", "from_state", "to_state", "actor_label", "at", "comment", "fields", "ledger_seq"]
        read_only_fields = fields


class WorkOrderSerializer(serializers.ModelSerializer):
    workflow_code = serializers.CharField(source="workflow.code", read_only=True)
    workflow_version = serializers.IntegerField(source="workflow.version", read_only=True)
    state_name = serializers.CharField(read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "title",
            "description",
            "workflow_code",
            "workflow_version",
            "state",
            "state_name",
            "region",
            "subject",
            "source",
            "warning",
            "assignee_org",
            "assignee_user",
            "due_at",
            "supervised",
            "satisfaction",
            "created_at",
            "closed_at",
            "archived_at",
        ]
        read_only_fields = fields


class WorkOrderDetailSerializer(WorkOrderSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "steps", "data"]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    action = StrictCharField(max_length=40)
    fields = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]
    comment = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ProblemItemSerializer(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class LedgerReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    files = serializers.IntegerField()
    problems = ProblemItemSerializer(many=True)


def _scoped(request: Request) -> Any:
    return scoped(request.user).order_by("-created_at", "-id")


class WorkOrderList(generics.ListAPIView):
    serializer_class = WorkOrderSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    queryset = WorkOrder.objects.none()

    def get_queryset(self) -> Any:
        return _scoped(self.request)


class WorkOrderDetail(generics.RetrieveAPIView):
    serializer_class = WorkOrderDetailSerializer
    permission_classes = [IsAuthenticated, ModelPermissions]
    queryset = WorkOrder.objects.none()

    def get_queryset(self) -> Any:
        return _scoped(self.request).prefetch_related("steps")


class WorkOrderTransition(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TransitionSerializer, responses={200: WorkOrderDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "workorders.change_workorder")
        order = get_object_or_404(_scoped(request), pk=pk)
        s = TransitionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            workflow.transition(
                order, request.user, s.validated_data["action"], s.validated_data["fields"], comment=s.validated_data["comment"]
            )
        except workflow.TransitionRefused as exc:
            body = problem(exc.status, exc.message, errors=exc.errors or None, instance=request.path)
            return Response(body, status=exc.status, content_type=CONTENT_TYPE)
        return Response(WorkOrderDetailSerializer(WorkOrder.objects.prefetch_related("steps").get(pk=order.pk)).data)


class LedgerVerify(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LedgerReportSerializer})
    def get(self, request: Request) -> Response:
        require(request.user, "audit.view_ledgerentry")

        report = verify()
        return Response(
            {
                "ok": report.ok,
                "checked": report.checked,
                "files": report.files,
                "problems": [{"seq": p.seq, "message": p.message} for p in report.problems],
            }
        )
