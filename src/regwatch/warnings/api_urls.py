"""API endpoints of warnings (mounted at /api/v1/warnings/)."""

from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("pool/", api.WarningList.as_view(), name="warnings-api-pool"),
    path("pool/<int:pk>/", api.WarningDetail.as_view(), name="warnings-api-detail"),
    path("pool/<int:pk>/review/", api.WarningReview.as_view(), name="warnings-api-review"),
    path("external/", api.ExternalAlertPush.as_view(), name="warnings-api-external"),
]
