"""UI pages of quality beyond the generic object views (mounted at /quality/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "quality"
urlpatterns: list[URLPattern] = []
