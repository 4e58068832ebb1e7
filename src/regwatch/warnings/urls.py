"""Actions on warnings (mounted at /warnings/); the pool list and detail are the generic `warnings` type."""

from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "warnings"
urlpatterns = [
    path("bulk/", views.bulk, name="bulk"),
    # Only the four actions: any other word (edit, delete) is the generic read-only type's 404.
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>review|snooze|suppress|merge)/$", views.act, name="act"),
]
