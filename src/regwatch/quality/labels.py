"""Chinese names of the datasets and fields quality rules measure (rules store codes).

A dataset is a record type (its name) or the subject registration (主体登记); a field is a
declared field of the record type (its label) or a subject/record field intake maps to.
"""

from __future__ import annotations

from regwatch.intake.mapping import RECORD_FIELDS, SUBJECT_FIELDS
from regwatch.intake.models import SUBJECT_TARGET
from regwatch.subjects.models import RecordType

SUBJECT_DATASET_NAME = "主体登记"
WHOLE_DATASET = "（整体）"


class Names:
    """Looked up once per page: every record type's name and field labels."""

    def __init__(self) -> None:
        self.datasets = {SUBJECT_TARGET: SUBJECT_DATASET_NAME}
        self.fields: dict[str, dict[str, str]] = {SUBJECT_TARGET: dict(SUBJECT_FIELDS)}
        for code, name, fields in RecordType.objects.values_list("code", "name", "fields"):
            self.datasets[code] = name
            self.fields[code] = {f["name"]: f.get("label") or f["name"] for f in fields or []}

    def dataset(self, code: str) -> str:
        return self.datasets.get(code, code)

    def field(self, dataset: str, name: str) -> str:
        if not name:
            return WHOLE_DATASET
        known = self.fields.get(dataset, {})
        return known.get(name) or SUBJECT_FIELDS.get(name) or RECORD_FIELDS.get(name) or name

    def dataset_field(self, dataset: str, name: str) -> str:
        return f"{self.dataset(dataset)} · {self.field(dataset, name)}"
