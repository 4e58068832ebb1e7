"""One DRF viewset per registered object type, sharing the UI's filter set and data scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers, viewsets
from rest_framework.validators import UniqueValidator

from regwatch.accounts.scope import visible
from regwatch.web.masking import Masker
from regwatch.web.registry import ObjectType
from regwatch.web.services import delete_object, hidden_conflict, save_object, unavailable_message


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
    """An id is a JSON integer (or null where allowed); DRF would read "" as null and "7" as 7.

    Only rows in the caller's data scope can be referred to: an id outside it gets the same 400
    "does not exist" as an id nobody has, so writes do not reveal which ids exist elsewhere."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str | bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, int) and not -(2**63) <= data < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().run_validation(data)

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset if request is None or queryset is None else visible(queryset, request.user)


class ScopedUniqueValidator(UniqueValidator):
    """A duplicate outside the caller's data scope is a neutral 400, not a 409 "already exists"
    (``web.services.hidden_conflict`` explains why)."""

    def __call__(self, value: Any, serializer_field: Any) -> None:
        try:
            super().__call__(value, serializer_field)
        except serializers.ValidationError:
            request = serializer_field.parent.context.get("request")
            instance = getattr(serializer_field.parent, "instance", None)
            values = {f"{serializer_field.source_attrs[-1]}__{self.lookup}": value}
            if request is not None and hidden_conflict(self.queryset.model, values, getattr(instance, "pk", None), request.user):
                raise serializers.ValidationError(unavailable_message(serializer_field.label), code="unavailable") from None
            raise


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

    def to_representation(self, instance: Any) -> Any:
        """Sensitive values leave masked (``web.masking``); the API has no reveal: clear values only
        through the logged 查看明文 control or an approved export."""
        data = super().to_representation(instance)
        context = self.context if isinstance(self.context, dict) else {}
        masker = context.get("masker")
        if masker is None:
            request = context.get("request")
            masker = Masker(getattr(request, "user", None), controls=False)
            context["masker"] = masker
        if masker.fields:
            for name, value in data.items():
                data[name] = masker.plain(instance, name, value)
        return data

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        kwargs["validators"] = [
            ScopedUniqueValidator(v.queryset, v.message, v.lookup) if type(v) is UniqueValidator else v
            for v in kwargs.get("validators", [])
        ]
        return field_class, kwargs


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
