"""API endpoints of indicators beyond the generic viewsets (mounted at /api/v1/indicators/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
