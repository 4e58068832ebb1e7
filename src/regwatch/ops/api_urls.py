"""API endpoints of ops beyond the generic viewsets (mounted at /api/v1/ops/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
