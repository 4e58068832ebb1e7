"""UI pages of scoring beyond the generic object views (mounted at /scoring/)."""

from __future__ import annotations

from django.urls import path

from . import pages

app_name = "scoring"
urlpatterns = [
    path("distribution/", pages.distribution, name="distribution"),
    path("overrides/", pages.overrides, name="overrides"),
    path("versions/<int:pk>/edit/", pages.edit_weights, name="edit_weights"),
    path("versions/<int:pk>/<str:action>/", pages.version_action, name="version_action"),
    path("compare/<int:a>/<int:b>/", pages.compare, name="compare"),
]
