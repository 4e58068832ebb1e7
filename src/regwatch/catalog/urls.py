"""UI pages of catalog beyond the generic object views (mounted at /catalog/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "catalog"
urlpatterns: list[URLPattern] = []
