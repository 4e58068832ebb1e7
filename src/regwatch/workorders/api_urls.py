"""API endpoints of workorders beyond the generic viewsets (mounted at /api/v1/workorders/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
