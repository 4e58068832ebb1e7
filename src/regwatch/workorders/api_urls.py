"""API endpoints of workorders (mounted at /api/v1/workorders/)."""

from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("orders/", api.WorkOrderList.as_view(), name="workorders-api-list"),
    path("orders/<int:pk>/", api.WorkOrderDetail.as_view(), name="workorders-api-detail"),
    path("orders/<int:pk>/transition/", api.WorkOrderTransition.as_view(), name="workorders-api-transition"),
    path("ledger/verify/", api.LedgerVerify.as_view(), name="workorders-api-ledger-verify"),
]
