"""UI pages of intake beyond the generic object views (mounted at /intake/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "intake"
urlpatterns: list[URLPattern] = []
