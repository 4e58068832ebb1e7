"""Subject matching on a labelled set generated from the food_credit world."""

from __future__ import annotations

import pytest

from regwatch.intake.labelled import evaluate, labelled_set
from regwatch.intake.standardize import name_key


@pytest.mark.django_db
def test_precision_and_recall_on_the_labelled_set(world: None) -> None:
    examples = labelled_set(n_matches=300, n_non_matches=150)
    result = evaluate(examples)
    print(
        f"precision={result.precision:.4f} recall={result.recall:.4f} merged={result.merged} review={result.review} "
        f"matches={result.true_matches} non_matches={result.non_matches}"
    )
    for ex, method, score in result.missed[:20]:
        print("MISSED", ex.variant, ex.row, method, round(score, 3))
    for ex, sid in result.false_merges[:20]:
        print("FALSE", ex.variant, ex.row, sid)
    assert result.true_matches >= 250 and result.non_matches >= 100
    assert result.precision >= 0.98
    assert result.recall >= 0.95


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州鑫华食品有限公司", "浙江省杭州市鑫華食品有限責任公司"),
        ("杭州鑫华食品有限公司", "鑫华食品"),
        ("杭州鑫华食品有限公司", "杭州鑫华食品有限公司（滨江分公司）"),
        ("ABC餐饮管理有限公司", "ＡＢＣ餐饮管理有限公司"),
    ],
)
def test_name_key_ignores_region_legal_form_brackets_and_script(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)
