from __future__ import annotations

from rest_framework.routers import DefaultRouter

from regwatch.web.registry import REGISTRY

from .viewsets import viewset_for

router = DefaultRouter()
for slug, otype in REGISTRY.items():
    router.register(slug, viewset_for(otype), basename=slug)

urlpatterns = router.urls
