from __future__ import annotations

from django import forms

from .models import Record, Subject


class RecordForm(forms.ModelForm):
    """Inspectors identify the subject by its USCC rather than picking from thousands."""

    subject = forms.ModelChoiceField(
        queryset=Subject.objects.all(),
        to_field_name="uscc",
        widget=forms.TextInput,
        label="主体统一社会信用代码",
        error_messages={"invalid_choice": "未找到该统一社会信用代码对应的主体（或不在您的数据范围内）"},
    )

    class Meta:
        model = Record
        fields = ["subject", "record_type", "occurred_on", "source", "source_ref", "summary", "data"]
