"""API endpoints of intake beyond the generic viewsets (mounted at /api/v1/intake/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
