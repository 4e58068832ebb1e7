from django.urls import path

from . import audit_views, views

app_name = "ops"
urlpatterns = [
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("audit-verify/", audit_views.audit_verify, name="audit_verify"),
]
