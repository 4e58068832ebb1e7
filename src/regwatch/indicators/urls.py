"""UI pages of indicators beyond the generic object views (mounted at /indicators/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "indicators"
urlpatterns: list[URLPattern] = []
