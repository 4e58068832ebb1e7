"""API endpoints of intake beyond the generic viewsets (mounted at /api/v1/intake/)."""

from __future__ import annotations

from django.urls import path

from .api import PushView

urlpatterns = [path("push/<str:code>/", PushView.as_view(), name="intake-push")]
