"""The data catalog follows the packs' record types and the intake mappings."""

from __future__ import annotations

from typing import Any

from regwatch.catalog.models import Dataset, DatasetField
from regwatch.intake.models import FieldMapping
from regwatch.intake.packsection import save_mapping


def test_datasets_and_fields_are_generated_from_record_types_and_mappings(world: None) -> None:
    penalty = Dataset.objects.get(code="penalty")
    assert penalty.name == "行政处罚" and "执法稽查处" in penalty.owner and penalty.frequency == "每日"
    f = DatasetField.objects.get(dataset=penalty, name="penalty_type")
    assert f.dictionary == "food_credit.penalty_type" and f.required and f.source_columns == "处罚种类"
    assert DatasetField.objects.get(dataset__code="subject", name="legal_representative").sensitivity == "sensitive"


def test_catalog_follows_a_new_mapping_version(world: None) -> None:
    m = FieldMapping.objects.get(source__code="samr_penalty", is_current=True)
    fields = [f if f["target"] != "data.violation" else {**f, "source": "违法事实"} for f in m.fields]
    save_mapping(m.source, m.target, fields, m.rules, "改列名")
    assert DatasetField.objects.get(dataset__code="penalty", name="violation").source_columns == "违法事实"


def test_catalog_is_searchable(data_admin_client: Any) -> None:
    response = data_admin_client.get("/catalog-datasets/", {"q": "处罚种类"})
    assert response.status_code == 200
    assert [d.code for d in response.context["page"].object_list] == ["penalty"]
    detail = data_admin_client.get(f"/catalog-datasets/{Dataset.objects.get(code='penalty').pk}/")
    assert "处罚决定书文号" in detail.content.decode()
