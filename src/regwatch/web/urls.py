from __future__ import annotations

from django.urls import path

from . import views
from .registry import REGISTRY

app_name = "web"

urlpatterns = [path("", views.home, name="home")]
for slug in REGISTRY:
    kw = {"slug": slug}
    urlpatterns += [
        path(f"{slug}/", views.ObjectListView.as_view(), kw, name=f"{slug}_list"),
        path(f"{slug}/add/", views.ObjectEditView.as_view(), kw, name=f"{slug}_add"),
        path(f"{slug}/<int:pk>/", views.ObjectDetailView.as_view(), kw, name=f"{slug}_detail"),
        path(f"{slug}/<int:pk>/edit/", views.ObjectEditView.as_view(), kw, name=f"{slug}_edit"),
        path(f"{slug}/<int:pk>/delete/", views.ObjectDeleteView.as_view(), kw, name=f"{slug}_delete"),
    ]
# 查看明文 of one masked value (web.masking): POST field + reason.
urlpatterns += [path("reveal/<slug:slug>/<int:pk>/", views.RevealView.as_view(), name="reveal")]
