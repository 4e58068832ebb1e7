from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from regwatch.accounts.models import User
from regwatch.subjects.models import Subject
from regwatch.warnings.firing import fire
from regwatch.warnings.models import WarningRule


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


@pytest.fixture
def business_admin(world: None) -> Any:
    return User.objects.get(username="business_admin")


@pytest.fixture
def subject(inspector: Any) -> Subject:
    return Subject.objects.filter(region__path__startswith=inspector.organization.region.path).select_related("kind", "region").first()  # type: ignore[return-value]


@pytest.fixture
def warning(subject: Subject) -> Any:
    return fire(subject, rule=WarningRule.objects.get(code="failed_inspection"), context={"occurred_on": "2026-11-01"})


def photo(name: str = "现场照片.jpg", content: bytes = b"\xff\xd8photo-bytes") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")
