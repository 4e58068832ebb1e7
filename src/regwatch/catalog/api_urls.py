"""API endpoints of catalog beyond the generic viewsets (mounted at /api/v1/catalog/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
