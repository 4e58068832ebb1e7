"""One DRF viewset per registered object type, sharing the UI's filter set and data scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers, viewsets

from regwatch.accounts.scope import visible
from regwatch.web.registry import ObjectType
from regwatch.web.services import delete_object, save_object


class StrictCharField(serializers.CharField):
    """A string must arrive as a JSON string: partner systems learn of a wrong type instead of a silent cast."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # before trimming, as the schema promises
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id is a JSON integer (or null where allowed); DRF would read "" as null and "7" as 7."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str | bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().run_validation(data)


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
    }


def serializer_for(otype: ObjectType) -> type[serializers.ModelSerializer]:
    meta = type("Meta", (), {"model": otype.model, "fields": otype.api_fields or "__all__", "read_only_fields": otype.api_read_only})
    name = f"{otype.model.__name__}Serializer"
    return type(name, (StrictModelSerializer,), {"Meta": meta})  # type: ignore[return-value]


class ObjectViewSet(viewsets.ModelViewSet):
    otype: ObjectType

    def get_queryset(self) -> models.QuerySet[Any]:
        return visible(self.otype.queryset(), self.request.user).order_by("pk")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        instance = self.otype.model(**serializer.validated_data)
        save_object(self.request.user, self.otype, instance, save=lambda: serializer.save())

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        instance = serializer.instance
        assert instance is not None
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
