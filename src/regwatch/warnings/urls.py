"""Actions on warnings (mounted at /warnings/); the pool list and detail are the generic `warnings` type."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "warnings"
urlpatterns = [
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
