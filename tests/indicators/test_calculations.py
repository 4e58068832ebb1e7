"""Every aggregation kind, window edges, attributes, tags, scope and derived indicators — on hand-made Arrow data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from regwatch.indicators import expr
from regwatch.indicators.spec import IndicatorFile, IndicatorSpec
from regwatch.scoring.compiler import compute
from regwatch.scoring.data import Frames, day_number
from regwatch.scoring.spec import GradeSchemeSpec, ScorecardSpec

D = dt.date(2026, 11, 1)
SCHEME = GradeSchemeSpec.model_validate(
    {
        "code": "t",
        "name": "t",
        "levels": [
            {"code": "A", "name": "低", "color": "#00ff00", "min": 0, "max": 50},
            {"code": "B", "name": "高", "color": "#ff0000", "min": 50, "max": 100},
        ],
    }
)


def rec(subject: int, rtype: str, days_before: int, **data: Any) -> dict[str, Any]:
    return {
        "subject_id": subject,
        "rtype": rtype,
        "occ": day_number(D) - days_before,
        "source": "s",
        **{f"d_{k}": v for k, v in data.items()},
    }


RECORDS = [
    rec(1, "penalty", 0, amount=100.0, serious=False, channel="a"),  # the as-of day itself: inside every window
    rec(1, "penalty", 364, amount=300.0, serious=True, channel="b"),  # last day inside a 365-day window
    rec(1, "penalty", 365, amount=1000.0, serious=False, channel="b"),  # first day outside it (start edge exclusive)
    rec(1, "complaint", 10, amount=None, serious=None, channel="a"),
    rec(2, "penalty", 400, amount=50.0, serious=False, channel="c"),
    rec(2, "penalty", 500, amount=70.0, serious=False, channel="c"),
    rec(2, "penalty", 800, amount=None, serious=False, channel="d"),
]
SUBJECTS = [
    {
        "subject_id": 1,
        "kind": "food_enterprise",
        "industry_code": "H621",
        "status": "active",
        "est": day_number(dt.date(2020, 11, 2)),
        "a_employees": 10.0,
        "t_star": 1,
    },
    {
        "subject_id": 2,
        "kind": "food_individual",
        "industry_code": "F521",
        "status": "revoked",
        "est": day_number(dt.date(2010, 1, 1)),
        "a_employees": None,
        "t_star": 0,
    },
    {"subject_id": 3, "kind": "food_enterprise", "industry_code": "C131", "status": "active", "est": None, "a_employees": 3.0, "t_star": 0},
]


def frames() -> Frames:
    schema = pa.schema(
        [
            ("subject_id", pa.int64()),
            ("rtype", pa.string()),
            ("occ", pa.int64()),
            ("source", pa.string()),
            ("d_amount", pa.float64()),
            ("d_serious", pa.bool_()),
            ("d_channel", pa.string()),
        ]
    )
    sschema = pa.schema(
        [
            ("subject_id", pa.int64()),
            ("kind", pa.string()),
            ("industry_code", pa.string()),
            ("status", pa.string()),
            ("est", pa.int64()),
            ("a_employees", pa.float64()),
            ("t_star", pa.int64()),
        ]
    )
    return Frames(pa.Table.from_pylist(RECORDS, schema=schema), pa.Table.from_pylist(SUBJECTS, schema=sschema))


def values(indicators: list[dict[str, Any]], engine: str = "duckdb") -> dict[str, dict[int, Any]]:
    specs = IndicatorFile.model_validate({"indicators": [{"name": i["code"], "category": "c", **i} for i in indicators]}).indicators
    card = ScorecardSpec.model_validate(
        {
            "categories": [
                {"code": "c", "name": "c", "weight": 100, "items": [{"indicator": specs[0].code, "bins": [{"from": 1, "points": 60}]}]}
            ]
        }
    )
    table = compute(engine, frames(), specs, card, SCHEME, D)
    ids = table.column("subject_id").to_pylist()
    return {s.code: dict(zip(ids, table.column(f"v_{s.code}").to_pylist(), strict=True)) for s in specs}


def test_every_aggregation_kind_and_the_window_edges() -> None:
    v = values(
        [
            {"code": "n_all", "calc": {"kind": "count", "record_types": ["penalty"]}},
            {"code": "n_365", "calc": {"kind": "count", "record_types": ["penalty"], "window": 365}},
            {"code": "n_1", "calc": {"kind": "count", "record_types": ["penalty"], "window": 1}},
            {"code": "sum_365", "calc": {"kind": "sum", "field": "amount", "record_types": ["penalty"], "window": 365}},
            {"code": "max_all", "calc": {"kind": "max", "field": "amount", "record_types": ["penalty"]}},
            {"code": "min_all", "calc": {"kind": "min", "field": "amount", "record_types": ["penalty"]}},
            {"code": "mean_all", "calc": {"kind": "mean", "field": "amount", "record_types": ["penalty"]}},
            {"code": "channels", "calc": {"kind": "distinct_count", "field": "channel", "record_types": ["penalty", "complaint"]}},
            {"code": "since", "calc": {"kind": "days_since_last", "record_types": ["penalty"]}},
            {"code": "since_d", "calc": {"kind": "days_since_last", "record_types": ["complaint"], "default": 9999}},
            {"code": "trend", "calc": {"kind": "trend_ratio", "record_types": ["penalty"], "window": 365, "smoothing": 1}},
            {
                "code": "serious",
                "calc": {"kind": "count", "record_types": ["penalty"], "where": [{"field": "serious", "op": "eq", "value": True}]},
            },
            {
                "code": "big",
                "calc": {"kind": "count", "record_types": ["penalty"], "where": [{"field": "amount", "op": "ge", "value": 300}]},
            },
            {"code": "no_amount", "calc": {"kind": "count", "record_types": ["penalty"], "where": [{"field": "amount", "op": "is_null"}]}},
            {
                "code": "not_c",
                "calc": {"kind": "count", "record_types": ["penalty"], "where": [{"field": "channel", "op": "not_in", "value": ["c"]}]},
            },
        ]
    )
    assert v["n_all"] == {1: 3, 2: 3, 3: 0}
    assert v["n_365"] == {1: 2, 2: 0, 3: 0}  # D-364 and D in, D-365 out
    assert v["n_1"] == {1: 1, 2: 0, 3: 0}  # a 1-day window is the as-of day alone
    assert v["sum_365"] == {1: 400.0, 2: 0.0, 3: 0.0}
    assert v["max_all"] == {1: 1000.0, 2: 70.0, 3: None}
    assert v["min_all"] == {1: 100.0, 2: 50.0, 3: None}
    assert v["mean_all"] == {1: pytest.approx(1400 / 3), 2: 60.0, 3: None}  # nulls are ignored
    assert v["channels"] == {1: 2, 2: 2, 3: 0}
    assert v["since"] == {1: 0, 2: 400, 3: None}
    assert v["since_d"] == {1: 10, 2: 9999, 3: 9999}
    # current window (D-365, D] vs previous (D-730, D-365]: subject 1 has 2 vs 1, subject 2 has 0 vs 2
    assert v["trend"] == {1: 1.5, 2: pytest.approx(1 / 3), 3: 1.0}
    assert v["serious"] == {1: 1, 2: 0, 3: 0}
    assert v["big"] == {1: 2, 2: 0, 3: 0}
    assert v["no_amount"] == {1: 0, 2: 1, 3: 0}
    assert v["not_c"] == {1: 3, 2: 1, 3: 0}


def test_attributes_tags_scope_and_derived_indicators() -> None:
    v = values(
        [
            {"code": "years", "calc": {"kind": "attribute", "attribute": "established_years"}},
            {"code": "revoked", "calc": {"kind": "attribute", "attribute": "status", "equals": ["revoked"]}},
            {"code": "staff", "calc": {"kind": "attribute", "attribute": "attributes.employees"}},
            {"code": "star", "calc": {"kind": "tag", "tag": "star"}},
            {"code": "n", "calc": {"kind": "count", "record_types": ["penalty"]}},
            {"code": "n_catering", "industries": ["H"], "calc": {"kind": "count", "record_types": ["penalty"]}},
            {"code": "n_individual", "subject_kinds": ["food_individual"], "calc": {"kind": "count", "record_types": ["penalty"]}},
            {"code": "per_staff", "calc": {"kind": "expression", "expr": "n / nullif(staff, 0)"}},
            {"code": "risky", "calc": {"kind": "expression", "expr": "if(revoked = 1 or per_staff > 0.2, 1, 0) + greatest(n, 2) * 0"}},
        ]
    )
    assert v["years"] == {1: 5, 2: 16, 3: None}  # whole years: 2020-11-02 → 2026-11-01 is 5.99
    assert v["revoked"] == {1: 0, 2: 1, 3: 0}
    assert v["staff"] == {1: 10.0, 2: None, 3: 3.0}
    assert v["star"] == {1: 1, 2: 0, 3: 0}
    assert v["n_catering"] == {1: 3, 2: None, 3: None}
    assert v["n_individual"] == {1: None, 2: 3, 3: None}
    assert v["per_staff"] == {1: 0.3, 2: None, 3: 0.0}
    assert v["risky"] == {1: 1, 2: 1, 3: 0}


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('x')", "(select 1)", "n || 'x'", "upper(n)", "t.n + 1", "'abc'", "n; drop table x", "exp(n)", ""],
)
def test_the_expression_language_refuses_anything_outside_the_allow_list(text: str) -> None:
    with pytest.raises(expr.ExpressionError):
        expr.check(text, {"n"})


@given(st.text(max_size=60))
def test_any_text_either_parses_to_allowed_nodes_or_is_refused_cleanly(text: str) -> None:
    try:
        tree = expr.parse(text)
    except expr.ExpressionError:
        return
    assert all(isinstance(node, expr.ALLOWED) for node in tree.walk())


def test_derived_indicators_refuse_unknown_names_and_cycles() -> None:
    with pytest.raises(ValidationError, match="不存在的指标"):
        IndicatorFile.model_validate(
            {"indicators": [{"code": "a", "name": "a", "category": "c", "calc": {"kind": "expression", "expr": "b + 1"}}]}
        )
    with pytest.raises(ValidationError, match="循环引用"):
        IndicatorFile.model_validate(
            {
                "indicators": [
                    {"code": "a", "name": "a", "category": "c", "calc": {"kind": "expression", "expr": "b + 1"}},
                    {"code": "b", "name": "b", "category": "c", "calc": {"kind": "expression", "expr": "a + 1"}},
                ]
            }
        )


def test_calculations_refuse_unknown_keys_and_missing_fields() -> None:
    with pytest.raises(ValidationError):
        IndicatorSpec.model_validate(
            {"code": "a", "name": "a", "category": "c", "calc": {"kind": "count", "record_types": ["x"], "python": "1"}}
        )
    with pytest.raises(ValidationError, match="需要指定字段"):
        IndicatorSpec.model_validate({"code": "a", "name": "a", "category": "c", "calc": {"kind": "sum", "record_types": ["x"]}})
    with pytest.raises(ValidationError, match="需要指定窗口"):
        IndicatorSpec.model_validate({"code": "a", "name": "a", "category": "c", "calc": {"kind": "trend_ratio", "record_types": ["x"]}})


@pytest.mark.django_db
def test_model_admins_edit_indicators_and_every_change_is_a_version(world: None, django_user_model: Any) -> None:
    from django.test import Client

    from regwatch.indicators.models import Indicator

    ind = Indicator.objects.get(code="penalties_12m")
    client = Client()
    client.force_login(django_user_model.objects.get(username="model_admin"))
    form = {
        "name": ind.name,
        "category": ind.category,
        "definition": "近12个月（含基准日）行政处罚次数",
        "data_source": ind.data_source,
        "unit": ind.unit,
        "update_frequency": ind.update_frequency,
        "owner_department": ind.owner_department,
        "subject_kinds": "[]",
        "industries": "[]",
        "enabled": "on",
    }
    bad = client.post(f"/indicators/{ind.pk}/edit/", form | {"calculation": '{"kind": "sum", "record_types": ["penalty"]}'})
    assert bad.status_code == 400 and "需要指定字段" in bad.content.decode()
    ind.refresh_from_db()
    assert ind.version == 1
    ok = client.post(f"/indicators/{ind.pk}/edit/", form | {"calculation": '{"kind": "count", "record_types": ["penalty"], "window": 180}'})
    assert ok.status_code == 302
    ind.refresh_from_db()
    assert ind.version == 2 and ind.calculation["window"] == 180
    latest = ind.versions.first()
    assert latest is not None and latest.version == 2 and latest.created_by.username == "model_admin"  # type: ignore[union-attr]
