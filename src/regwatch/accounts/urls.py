from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("users/<int:pk>/reset-password/", views.password_reset, name="password_reset"),
    path("users/<int:pk>/unlock/", views.unlock, name="unlock"),
]
