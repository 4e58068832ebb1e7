"""UI pages of notifications beyond the generic object views (mounted at /notifications/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "notifications"
urlpatterns: list[URLPattern] = []
