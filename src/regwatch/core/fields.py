"""``EncryptedTextField``: a text column stored encrypted (``core.crypto``), read and edited as plain text.

For personal data that is shown and edited but never searched, joined, sorted or counted: the
database holds ``v1:<key id>:…`` only.  A query condition on the field (``filter(phone=…)``,
``phone__contains``…) raises ``FieldError`` instead of silently matching nothing — the ciphertext
differs on every save; only ``isnull`` is allowed.  An empty value is stored empty.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = "Text encrypted with SM4-GCM"
    encrypted = True  # the audit trail keeps a keyed fingerprint, never the clear value (audit.services.snapshot)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:  # of the plaintext; the stored text is longer
            self.validators.append(MaxLengthValidator(self.max_length))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value, self.model._meta.db_table, str(self.column))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(str(value), self.model._meta.db_table, str(self.column))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: it cannot be used in a query condition ({lookup_name}); "
            "filter on another field and compare in Python."
        )

    def get_transform(self, lookup_name: str) -> Any:
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: {lookup_name} cannot be applied to it in a query.")

    def formfield(self, **kwargs: Any) -> Any:
        # A one-line input, as the CharField it replaces had (TextField would give a textarea).
        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})
