"""Django validators and a model field built on the identifier checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .identifiers import normalize_code, uscc_problems


def validate_uscc(value: str) -> None:
    problems = uscc_problems(value)
    if problems:
        raise ValidationError("；".join(problems), code="invalid_uscc")


class USCCField(models.CharField):
    """An 18-character USCC, normalised on the way in and validated at the edge."""

    default_validators = [validate_uscc]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("verbose_name", "统一社会信用代码")
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_code(value) if isinstance(value, str) else value
