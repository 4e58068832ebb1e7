from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("users/<int:pk>/reset-password/", views.password_reset, name="password_reset"),
    path("users/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/disable/", views.otp_disable, name="otp_disable"),
    path("users/<int:pk>/otp-reset/", views.otp_reset, name="otp_reset"),
]
