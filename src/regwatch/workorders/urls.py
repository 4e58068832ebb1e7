"""UI pages of workorders (mounted at /workorders/)."""

from __future__ import annotations

from django.urls import path

from . import clue_views, stats, views

app_name = "workorders"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("next/", views.next_view, name="next"),
    path("new/", views.new_view, name="new"),
    path("stats/", stats.stats_view, name="stats"),
    path("from-warning/<int:warning_pk>/", views.from_warning, name="from_warning"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition_view, name="transition"),
    path("<int:pk>/comment/", views.comment_view, name="comment"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/pdf/", views.pdf_view, name="pdf"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
    path("clues/", clue_views.clues, name="clues"),
    path("clues/<int:pk>/review/", clue_views.review_clue, name="clue_review"),
    path("ledgers/", clue_views.ledgers, name="ledgers"),
    path("ledgers/<int:pk>/", clue_views.ledger_detail, name="ledger"),
]
