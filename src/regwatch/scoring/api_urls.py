"""API endpoints of scoring beyond the generic viewsets (mounted at /api/v1/scoring/)."""

from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("subjects/<int:subject_id>/explanation/", api.SubjectExplanation.as_view(), name="scoring-explanation"),
]
