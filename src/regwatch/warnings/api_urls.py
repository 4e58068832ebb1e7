"""API endpoints of warnings beyond the generic viewsets (mounted at /api/v1/warnings/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
