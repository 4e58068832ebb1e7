"""UI pages of warnings (mounted at /warnings/)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "warnings"
urlpatterns = [
    path("", views.pool, name="pool"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
