from __future__ import annotations

import pytest

from nlp.signals import Place
from routing.jurisdiction import JurisdictionError, JurisdictionTree, Unit, parse_units_csv

HEADER = "code,name,level,parent_code,aliases\n"
GOOD = (
    HEADER
    + "530000000000,云南省,province,,云南\n"
    + "530300000000,曲靖市,city,530000000000,曲靖\n"
    + "530329000000,清溪县,county,530300000000,清溪\n"
    + "530329102000,白石镇,township,530329000000,白石\n"
)
BAISHI = "530329102000"
XINMIN_BAISHI = "530329102202"
XINMIN_SONGLIN = "530329201202"
COUNTY = "530329000000"


def test_parse_aliases_and_empty_parent() -> None:
    units = parse_units_csv(GOOD)
    assert units[0] == Unit("530000000000", "云南省", "province", None, ("云南",))
    assert units[3].parent_code == COUNTY


def test_parse_demo_aliases_split_on_bar(tree: JurisdictionTree) -> None:
    dapeng = tree.get("530329203000")
    assert dapeng is not None and dapeng.aliases == ("大坪乡", "大坪")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("530329103000,龙泉镇,town,530329000000,\n", "第6行 level：未知级别 'town'"),
        ("530329103000,龙泉镇,township,530329999000,\n", "第6行 parent_code：上级 '530329999000'"),
        ("530329102000,白石镇,township,530329000000,\n", "第6行 code：'530329102000' 与第5行重复"),
        ("53032910300,龙泉镇,township,530329000000,\n", "第6行 code：'53032910300' 不是12位数字"),
        ("5303291030AB,龙泉镇,township,530329000000,\n", "第6行 code"),
        ("530329103000,,township,530329000000,\n", "第6行 name"),
        ("530329103000,龙泉镇,township\n", "第6行：应有5列"),
    ],
)
def test_parse_errors_name_line_and_field(row: str, message: str) -> None:
    with pytest.raises(JurisdictionError, match=message):
        parse_units_csv(GOOD + row)


def test_parse_rejects_wrong_header() -> None:
    with pytest.raises(JurisdictionError, match="第1行"):
        parse_units_csv("code,name,level\n530000000000,云南省,province\n")


def test_parent_must_be_a_higher_level() -> None:
    with pytest.raises(JurisdictionError, match="530329102201"):
        parse_units_csv(GOOD + "530329102201,白石村,county,530329102000,\n")


def test_from_units_checks_duplicates_and_parents() -> None:
    township = Unit(BAISHI, "白石镇", "township", None)
    with pytest.raises(JurisdictionError, match="重复"):
        JurisdictionTree.from_units([township, township])
    with pytest.raises(JurisdictionError, match="parent_code"):
        JurisdictionTree.from_units([Unit(BAISHI, "白石镇", "township", COUNTY)])


def test_lookups(tree: JurisdictionTree) -> None:
    assert len(tree) == 47
    assert tree.county().name == "清溪县"
    assert [u.name for u in tree.townships()][:3] == ["东城街道", "西城街道", "清溪镇"]
    assert len(tree.townships()) == 10
    assert [u.name for u in tree.children(BAISHI)] == ["白石村", "新民村", "黄泥村", "三岔村"]
    assert tree.get("530329999999") is None


def test_township_of(tree: JurisdictionTree) -> None:
    assert tree.township_of(XINMIN_BAISHI).code == BAISHI  # type: ignore[union-attr]
    assert tree.township_of(XINMIN_SONGLIN).name == "松林乡"  # type: ignore[union-attr]
    assert tree.township_of(BAISHI).code == BAISHI  # type: ignore[union-attr]
    assert tree.township_of(COUNTY) is None
    assert tree.township_of("530329999999") is None


def test_parent_ancestors_and_escalation(tree: JurisdictionTree) -> None:
    assert tree.parent(XINMIN_BAISHI).code == BAISHI  # type: ignore[union-attr]
    assert [u.level for u in tree.ancestors(XINMIN_BAISHI)] == [
        "township", "county", "city", "province",
    ]
    chain = []
    unit = tree.get(BAISHI)
    while unit is not None:
        chain.append(unit.name)
        unit = tree.escalation_target(unit.code)
    assert chain == ["白石镇", "清溪县", "曲靖市", "云南省"]
    assert tree.parent("530000000000") is None


def test_places_feed_the_gazetteer(tree: JurisdictionTree) -> None:
    places = tree.places()
    assert len(places) == 47
    assert Place(BAISHI, "白石镇", "township", ("白石",), COUNTY) in places


def test_mentions_prefer_the_longest_name(tree: JurisdictionTree) -> None:
    found = tree.mentions_in("家住清溪县白石镇新民村三组")
    assert [(m.text, m.code) for m in found] == [
        ("清溪县", COUNTY),
        ("白石镇", BAISHI),
        ("新民村", XINMIN_BAISHI),
        ("新民村", XINMIN_SONGLIN),
    ]
    assert {m.level for m in tree.mentions_in("清溪")} == {"county", "township", "village"}
    assert tree.mentions_in("昆明市五华区") == []
