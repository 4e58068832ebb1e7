"""UI pages of scoring beyond the generic object views (mounted at /scoring/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "scoring"
urlpatterns: list[URLPattern] = []
