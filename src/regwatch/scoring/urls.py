"""UI pages of scoring beyond the generic object views (mounted at /scoring/)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("distribution/", views.distribution, name="distribution"),
    path("overrides/", views.overrides, name="overrides"),
    path("subjects/<int:pk>/grade/", views.subject_grade, name="subject_grade"),
    path("versions/<int:pk>/edit/", views.edit_weights, name="edit_weights"),
    path("versions/<int:pk>/<str:action>/", views.version_action, name="version_action"),
    path("compare/<int:a>/<int:b>/", views.compare, name="compare"),
]
