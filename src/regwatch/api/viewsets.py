"""One DRF viewset per registered object type, sharing the UI's filter set and data scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers, viewsets

from regwatch.accounts.scope import visible
from regwatch.web.registry import ObjectType
from regwatch.web.services import delete_object, save_object


def serializer_for(otype: ObjectType) -> type[serializers.ModelSerializer]:
    meta = type("Meta", (), {"model": otype.model, "fields": otype.api_fields or "__all__"})
    name = f"{otype.model.__name__}Serializer"
    return type(name, (serializers.ModelSerializer,), {"Meta": meta})  # type: ignore[return-value]


class ObjectViewSet(viewsets.ModelViewSet):
    otype: ObjectType

    def get_queryset(self) -> models.QuerySet[Any]:
        return visible(self.otype.queryset(), self.request.user).order_by("pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        instance = self.otype.model(**serializer.validated_data)
        save_object(self.request.user, self.otype, instance, save=lambda: serializer.save())

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        save_object(self.request.user, self.otype, instance, save=lambda: serializer.save())

    def perform_destroy(self, instance: models.Model) -> None:
        delete_object(self.request.user, self.otype, instance)


def viewset_for(otype: ObjectType) -> type[ObjectViewSet]:
    methods = ["get", "head", "options"] + (["post", "put", "patch", "delete"] if otype.editable else [])
    attrs = {
        "otype": otype,
        "serializer_class": serializer_for(otype),
        "filterset_class": otype.filterset,
        "http_method_names": methods,
        "queryset": otype.model._default_manager.none(),  # for schema generation; get_queryset serves requests
    }
    return type(f"{otype.model.__name__}ViewSet", (ObjectViewSet,), attrs)
