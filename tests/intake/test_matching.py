"""Subject matching on a labelled set generated from the food_credit world, hard cases included."""

from __future__ import annotations

import pytest

from regwatch.intake.labelled import NEGATIVE, POSITIVE, evaluate, labelled_set
from regwatch.intake.matching import SubjectIndex
from regwatch.intake.standardize import branch_label, load_region_names, name_key, name_region, region_agrees
from regwatch.subjects.models import Subject, SubjectIdentifier

PACK = "food_credit"  # the world may hold other packs; the set and the index stay within this one


@pytest.mark.django_db
def test_precision_and_recall_on_the_labelled_set(world: None) -> None:
    examples = labelled_set(n_matches=300, n_non_matches=150, pack=PACK)
    result = evaluate(examples, pack=PACK)
    print(
        f"\nprecision={result.precision:.4f} recall={result.recall:.4f} merged={result.merged} review={result.review} "
        f"matches={result.true_matches} non_matches={result.non_matches}"
    )
    for name, c in result.categories.items():
        found = f" recall={c.recall:.3f}" if name in POSITIVE else ""
        print(f"{name:24} n={c.examples:4} right={c.merged_right:4} review={c.review:3} false={c.false_merges:3}{found}")
    for ex, method, score in result.missed[:30]:
        print("MISSED", ex.category, ex.variant, ex.row, method, round(score, 3))
    for ex, sid in result.false_merges[:30]:
        print("FALSE", ex.category, ex.variant, ex.row, Subject.objects.get(pk=sid).name)
    assert result.true_matches >= 400 and result.non_matches >= 300
    assert set(result.categories) == {*POSITIVE, *NEGATIVE}, "every hard case is in the set"
    assert all(result.categories[c].examples >= 40 for c in (*POSITIVE, *NEGATIVE) if c not in ("variant", "similar_name"))
    assert result.precision >= 0.98
    assert result.recall >= 0.95
    # The rules the hard cases stand for hold without exception.
    for c in ("other_county", "branch", "chain", "abbreviation_elsewhere"):
        assert result.categories[c].false_merges == 0, c
    assert result.categories["moved_address"].recall == 1.0


@pytest.mark.django_db
def test_a_branch_is_never_merged_into_its_head_office(world: None) -> None:
    head = Subject.objects.filter(pack=PACK, name__endswith="有限公司").order_by("pk").first()
    assert head is not None
    index = SubjectIndex(PACK)
    same = {"address": head.address, "legal_representative": head.legal_representative}
    assert index.match({"name": head.name, **same}).subject_id == head.pk
    for branch in (f"{head.name}西湖分公司", f"{head.name}（滨江分公司）", f"{head.name}文三路店"):
        m = index.match({"name": branch, **same})
        assert not m.decided and m.method == "none", branch
        assert "分支机构不一致（分公司、门店不并入总公司或其他门店）" in m.explanation["conflicts"]


@pytest.mark.django_db
def test_the_same_trade_name_in_another_county_needs_a_shared_code(world: None) -> None:
    s = Subject.objects.filter(pack=PACK, name__endswith="有限公司", name__startswith="杭州").order_by("pk").first()
    assert s is not None
    index = SubjectIndex(PACK)
    elsewhere = {"name": "宁波" + s.name.removeprefix("杭州"), "legal_representative": s.legal_representative}
    m = index.match(elsewhere)
    assert m.subject_id != s.pk or not m.decided
    assert index.match({**elsewhere, "uscc": s.uscc}).subject_id == s.pk


@pytest.mark.django_db
def test_a_moved_subject_is_found_by_its_code(world: None) -> None:
    ident = SubjectIdentifier.objects.filter(subject__pack=PACK, scheme="food_licence").select_related("subject").first()
    assert ident is not None
    s = ident.subject
    index = SubjectIndex(PACK)
    moved = {"name": s.name, "address": "浙江省宁波市海曙区中山路1888号"}
    by_licence = index.match({**moved, "licence_no": ident.value})
    assert (by_licence.subject_id, by_licence.method) == (s.pk, "identifier")
    assert by_licence.explanation == {"rule": "食品经营（生产）许可证号一致"}
    assert index.match({**moved, "uscc": s.uscc}).subject_id == s.pk


@pytest.mark.django_db
def test_two_equally_good_candidates_go_to_review(world: None) -> None:
    s = Subject.objects.filter(pack=PACK, name__endswith="有限公司").order_by("pk").first()
    assert s is not None
    index = SubjectIndex(PACK)
    twin = max(index.candidates) + 1
    c = index.candidates[s.pk]
    index.add(twin, None, s.name, "", "", c.region_path)  # the register holds the same name twice
    m = index.match({"name": s.name})
    assert m.method == "review" and m.subject_id in (s.pk, twin)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州鑫华食品有限公司", "浙江省杭州市鑫華食品有限責任公司"),
        ("杭州鑫华食品有限公司", "鑫华食品"),
        ("杭州鑫华食品有限公司", "杭州鑫华食品有限公司（滨江分公司）"),
        ("杭州鑫华食品有限公司", "杭州鑫华食品有限公司滨江分公司"),
        ("ABC餐饮管理有限公司", "ＡＢＣ餐饮管理有限公司"),
    ],
)
def test_name_key_ignores_region_legal_form_brackets_and_script(world: None, a: str, b: str) -> None:
    load_region_names()
    assert name_key(a) == name_key(b)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("杭州鑫华食品有限公司", ""),
        ("杭州鑫华食品有限公司（滨江分公司）", "滨江分公司"),
        ("杭州鑫华食品有限公司滨江分公司", "滨江分公司"),
        ("杭州鑫华餐饮管理有限公司文三路店", "文三路店"),
        ("西湖区鑫华小吃店", ""),
        ("西湖区鑫华小吃店（第二分店）", "二分店"),
        ("杭州鑫华食品有限公司（普通合伙）", ""),
    ],
)
def test_branch_labels(world: None, name: str, label: str) -> None:
    load_region_names()
    assert branch_label(name) == label


@pytest.mark.django_db
def test_region_prefixes_come_from_the_region_table(world: None) -> None:
    from regwatch.core.models import Region

    load_region_names()
    xihu = Region.objects.get(code="330106")
    ningbo = Region.objects.get(code="330200")
    assert name_key("浙江省杭州市西湖区鑫华小吃店") == name_key("西湖鑫华小吃店") == name_key("鑫华小吃店")
    assert region_agrees(name_region("西湖区鑫华小吃店"), xihu.path)
    assert not region_agrees(name_region("宁波鑫华食品有限公司"), xihu.path)
    assert region_agrees(name_region("宁波鑫华食品有限公司"), ningbo.path)
    # A county's short form alone is an ordinary word (西湖醋鱼馆), not evidence of a place.
    assert name_region("西湖醋鱼馆") == frozenset()
    assert region_agrees(name_region("杭州西湖醋鱼馆"), xihu.path)
