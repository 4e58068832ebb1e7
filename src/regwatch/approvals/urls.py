from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("request-export/", views.request_export, name="request_export"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
