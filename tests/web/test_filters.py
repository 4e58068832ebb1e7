from __future__ import annotations

import django_filters
import pytest

from regwatch.subjects.models import Tag
from regwatch.web.filters import SearchFilterSet


class _TagFilter(SearchFilterSet):
    search_fields = ("code",)
    flagged = django_filters.BooleanFilter(field_name="code", lookup_expr="isnull", label="测试")

    class Meta:
        model = Tag
        fields = ["q", "flagged"]


@pytest.mark.parametrize(("raw", "valid"), [("true", True), ("false", True), ("", True), ("-58800", False), ("yes", False)])
def test_declared_boolean_filters_refuse_garbage(raw: str, valid: bool, world: None) -> None:
    fs = _TagFilter({"flagged": raw}, queryset=Tag.objects.all())
    assert fs.is_valid() is valid
    if not valid:
        assert "应为 true 或 false" in str(fs.errors["flagged"])
