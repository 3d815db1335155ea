from __future__ import annotations

import pytest

from nlp.entities import extract
from nlp.identity import id_check_digit

FIRST17 = "53032919520315002"
ID_NUMBER = FIRST17 + id_check_digit(FIRST17)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("住院花了两万多", (20000,)),
        ("欠了三千块", (3000,)),
        ("还有1.5万的债", (15000,)),
        ("报销后欠二十万", (200000,)),
        ("每个月收入一千五", (1500,)),
        ("借了20万元", (200000,)),
        ("5千块钱", (5000,)),
        ("我妈妈七十多岁了", ()),
        ("2023年5月一个人", ()),
    ],
)
def test_money_amounts(text: str, amounts: tuple[int, ...]) -> None:
    assert extract(text).amounts == amounts


@pytest.mark.parametrize(
    ("text", "ages"),
    [("我妈妈七十多岁了", (70,)), ("孙子8岁", (8,)), ("孙女十二岁,奶奶八十岁", (12, 80))],
)
def test_ages(text: str, ages: tuple[int, ...]) -> None:
    assert extract(text).ages == ages


def test_phones_in_e164_and_invalid_ones_dropped() -> None:
    found = extract("电话13812345678,座机0874-3123456,还有12345678901")
    assert found.phones == ("+8613812345678", "+868743123456")


def test_valid_id_number_found_and_not_read_as_phone_or_money() -> None:
    found = extract(f"身份证{ID_NUMBER}欠了三千块")
    assert found.id_numbers == (ID_NUMBER,)
    assert found.phones == ()
    assert found.amounts == (3000,)


def test_id_number_with_wrong_check_digit_is_dropped() -> None:
    wrong = FIRST17 + ("0" if ID_NUMBER[-1] != "0" else "1")
    assert extract(f"身份证{wrong}").id_numbers == ()


def test_family_members_in_order_without_repeats() -> None:
    found = extract("孩子白血病,妈妈没工作,老大交不起学费,孩子的外孙女和老伴")
    assert found.family == ("孩子", "妈妈", "老大", "外孙女", "老伴")


def test_old_man_is_not_the_eldest_child() -> None:
    assert extract("隔壁老大爷一个人住").family == ()
