from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress")]
