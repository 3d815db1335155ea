from __future__ import annotations

import pytest

from nlp.programmes import programme_named


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("医疗救助要去哪个部门办", "医疗救助"),
        ("低保要去哪里办", "低保"),
        ("残疾人两项补贴什么时候发", "两项补贴"),
        ("流浪人员可以送到救助站吗", "救助站"),
        ("事实无人抚养儿童怎么认定", "事实无人抚养"),
    ],
)
def test_a_programme_named_is_found(text: str, named: str) -> None:
    assert programme_named(text) == named


@pytest.mark.parametrize(
    "text",
    [
        "我是低保户，水电费能不能减免",  # a status, not the programme asked about
        "五保户家门口的路灯坏了",
        "请问宠物救助站在哪里",
        "小区物业费太贵了",
    ],
)
def test_a_status_or_another_matter_is_not_a_programme(text: str) -> None:
    assert programme_named(text) is None
