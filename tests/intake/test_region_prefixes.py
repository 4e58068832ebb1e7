"""Property tests for stripping region prefixes (taken from a region table, any province)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regwatch.intake import standardize
from regwatch.intake.standardize import (
    name_key,
    name_region,
    region_agrees,
    same_branch,
    set_regions,
    short_forms,
    split_region,
    strip_region,
)

# A region table over several provinces, with the awkward cases: an autonomous region, a city named
# like its province (吉林), two counties called 鼓楼区 in different provinces.
TABLE = [
    ("330000", "浙江省", "province", "/330000/"),
    ("330100", "杭州市", "city", "/330000/330100/"),
    ("330106", "西湖区", "county", "/330000/330100/330106/"),
    ("330200", "宁波市", "city", "/330000/330200/"),
    ("330203", "海曙区", "county", "/330000/330200/330203/"),
    ("440000", "广东省", "province", "/440000/"),
    ("440100", "广州市", "city", "/440000/440100/"),
    ("440106", "天河区", "county", "/440000/440100/440106/"),
    ("450000", "广西壮族自治区", "province", "/450000/"),
    ("450100", "南宁市", "city", "/450000/450100/"),
    ("450103", "青秀区", "county", "/450000/450100/450103/"),
    ("220000", "吉林省", "province", "/220000/"),
    ("220200", "吉林市", "city", "/220000/220200/"),
    ("320000", "江苏省", "province", "/320000/"),
    ("320100", "南京市", "city", "/320000/320100/"),
    ("320106", "鼓楼区", "county", "/320000/320100/320106/"),
    ("350000", "福建省", "province", "/350000/"),
    ("350100", "福州市", "city", "/350000/350100/"),
    ("350102", "鼓楼区", "county", "/350000/350100/350102/"),
]
REGION_CHARS = "".join(sorted({c for _, name, _, _ in TABLE for c in name}))
# Characters that occur in no region name: a core made of them cannot merge with a prefix.
CORE_CHARS = "".join(
    c for c in "鑫华盛泰丰源达利鸿祥瑞恒昌福佳美味香鲜绿康和德润金宝隆安顺旺正诚信益嘉悦品膳禾麦穗食品餐饮店" if c not in REGION_CHARS
)
# Leading names as registers write them, and the county (or city) they place a business in.
CHAINS = [
    (["浙江省", "杭州市", "西湖区"], "330106"),
    (["浙江", "杭州", "西湖区"], "330106"),
    (["杭州市", "西湖"], "330106"),
    (["宁波", "海曙区"], "330203"),
    (["广东省", "广州市", "天河区"], "440106"),
    (["广西", "南宁市", "青秀区"], "450103"),
    (["吉林省", "吉林市"], "220200"),
    (["江苏省", "南京市", "鼓楼区"], "320106"),
    (["福州", "鼓楼区"], "350102"),
]
PATHS = {code: path for code, _, _, path in TABLE}


@pytest.fixture(autouse=True, scope="module")
def region_table() -> Iterator[None]:
    previous = list(standardize._SIGNATURE)
    set_regions(TABLE)
    yield
    set_regions(previous)


text = st.text(alphabet=st.sampled_from(REGION_CHARS + CORE_CHARS + "ab（）省市区县"), max_size=24)
core = st.text(alphabet=st.sampled_from(CORE_CHARS), min_size=2, max_size=10)


@given(text)
def test_stripping_never_empties_a_name_and_is_idempotent(value: str) -> None:
    prefixes, rest = split_region(value)
    assert "".join(prefixes) + rest == value  # only whole leading names are removed
    assert len(rest) >= min(len(value), standardize.MIN_REST)  # never down to nothing
    assert strip_region(rest) == rest  # stable: stripping again changes nothing
    assert strip_region(value) == rest


@given(st.sampled_from(CHAINS), st.integers(min_value=0, max_value=3), core)
def test_any_leading_part_of_a_region_chain_is_stripped(chain: tuple[list[str], str], n: int, name: str) -> None:
    prefix = "".join(chain[0][:n])
    assert strip_region(prefix + name) == name
    assert name_key(prefix + name + "有限公司") == name_key(name + "有限公司")


@given(st.sampled_from(CHAINS), core)
def test_the_prefix_places_the_name_in_its_region_and_nowhere_else(chain: tuple[list[str], str], name: str) -> None:
    names, code = chain
    evidence = name_region("".join(names) + name + "有限公司")
    assert evidence == {PATHS[code]}
    for path in PATHS.values():
        assert region_agrees(evidence, path) == path.startswith(PATHS[code])


def test_short_forms_of_every_level() -> None:
    assert short_forms("浙江省", "province") == ["浙江"]
    assert short_forms("广西壮族自治区", "province") == ["广西"]
    assert short_forms("内蒙古自治区", "province") == ["内蒙古"]
    assert short_forms("延边朝鲜族自治州", "city") == ["延边"]
    assert short_forms("杭州市", "city") == ["杭州"]
    assert short_forms("西湖区", "county") == ["西湖"]
    assert short_forms("东区", "county") == []  # one character is not a name


def test_a_repeated_county_name_is_resolved_by_the_city_before_it() -> None:
    assert name_region("鼓楼区鑫华店") == {"/320000/320100/320106/", "/350000/350100/350102/"}
    assert name_region("福州鼓楼区鑫华店") == {"/350000/350100/350102/"}
    assert name_region("吉林鑫华店") == {"/220000/", "/220000/220200/"}
    assert name_region("吉林省吉林市鑫华店") == {"/220000/220200/"}


def test_a_division_in_brackets_places_the_name() -> None:
    assert name_region("鑫华食品（宁波）有限公司") == {"/330000/330200/"}
    assert name_region("杭州鑫华（西湖）餐饮有限公司") == {"/330000/330100/330106/"}
    assert name_region("鑫华食品（普通合伙）") == frozenset()


def test_branch_labels_agree_only_on_the_same_unit() -> None:
    assert same_branch("", "") and same_branch("西湖分公司", "西湖分公司")
    assert same_branch("食品西湖分公司", "西湖分公司")  # written without the legal form before it
    assert not same_branch("", "西湖分公司") and not same_branch("滨江分公司", "西湖分公司")
    assert not same_branch("十二分店", "二分店") and not same_branch("12分店", "2分店")
