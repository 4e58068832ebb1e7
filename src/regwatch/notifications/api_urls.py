"""API endpoints of notifications beyond the generic viewsets (mounted at /api/v1/notifications/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
