"""API endpoints of scoring beyond the generic viewsets (mounted at /api/v1/scoring/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
