"""UI pages of intake beyond the generic object views (mounted at /intake/)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("upload/columns/", views.upload_columns, name="upload_columns"),
    path("mappings/<int:pk>/template.xlsx", views.import_template, name="import_template"),
    path("mappings/<int:pk>/edit/", views.mapping_edit, name="mapping_edit"),
    path("batches/<int:pk>/return.xlsx", views.return_file, name="return_file"),
    path("quarantine/<int:pk>/fix/", views.fix_row, name="fix_row"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
