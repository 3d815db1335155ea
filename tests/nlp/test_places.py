from __future__ import annotations

from nlp.places import PlaceMatcher
from nlp.signals import Place


def test_full_names_match_with_code_and_level(demo_places: list[Place]) -> None:
    mentions = PlaceMatcher(demo_places).find("我住在龙泉镇水井村")
    assert [(m.text, m.code, m.level) for m in mentions] == [
        ("龙泉镇", "530329103000", "township"),
        ("水井村", "530329103202", "village"),
    ]


def test_ambiguous_village_yields_one_mention_per_unit(demo_places: list[Place]) -> None:
    mentions = PlaceMatcher(demo_places).find("新民村的一个老人")
    assert {m.code for m in mentions} == {"530329102202", "530329201202"}
    assert all(m.level == "village" for m in mentions)


def test_short_form_from_aliases(demo_places: list[Place]) -> None:
    mentions = PlaceMatcher(demo_places).find("大坪乡那边")
    assert [(m.text, m.code) for m in mentions] == [("大坪乡", "530329203000")]


def test_longest_form_wins(demo_places: list[Place]) -> None:
    mentions = PlaceMatcher(demo_places).find("清溪镇清溪村")
    assert [m.code for m in mentions] == ["530329101000", "530329101201"]


def test_bare_short_name_shared_by_county_township_village(demo_places: list[Place]) -> None:
    mentions = PlaceMatcher(demo_places).find("我是清溪的")
    assert {m.level for m in mentions} == {"county", "township", "village"}


def test_no_places_no_mentions() -> None:
    assert PlaceMatcher([]).find("白石镇") == ()
