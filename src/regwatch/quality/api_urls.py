"""API endpoints of quality beyond the generic viewsets (mounted at /api/v1/quality/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
