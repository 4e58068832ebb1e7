"""UI pages of workorders beyond the generic object views (mounted at /workorders/)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "workorders"
urlpatterns: list[URLPattern] = []
