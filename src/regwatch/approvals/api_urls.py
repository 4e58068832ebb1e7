"""API endpoints of approvals beyond the generic viewsets (mounted at /api/v1/approvals/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
