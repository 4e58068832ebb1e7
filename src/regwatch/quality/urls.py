"""UI pages of quality beyond the generic object views (mounted at /quality/)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [path("report/", views.report, name="report")]
