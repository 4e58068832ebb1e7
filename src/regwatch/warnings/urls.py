"""UI pages of warnings beyond the generic object views (mounted at /warnings/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "warnings"
urlpatterns: list[URLPattern] = []
