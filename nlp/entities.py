"""Entities in a normalised text: phones, ID numbers, money, ages, family members."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from nlp.identity import InvalidIdentity, normalise_id_number, normalise_phone

_T = TypeVar("_T")
# A request names a handful of each; a pasted spreadsheet should not cost seconds.
MATCHES_READ = 100

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(
    r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"
    r"|(?<!\d)(?:\(0\d{2,3}\)\s?|0\d{2,3}-?)\d{7,8}(?!\d)"
)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_AMOUNT = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?\s*[百千万]?[万]?|[{_CN_DIGITS}]+)"
    r"(?P<approx>多|余|来)?\s*(?P<unit>块钱|元钱|块|元|万元)?"
)
_MONEY_CUE = re.compile(
    r"(?:欠了?|花了?|借了?|还差|需要|要|交|收入|工资|每月|一个月|月收入|费|补助|补贴|赔偿?|给了?|只有|总共|一共)\s*$"
)
_AGE = re.compile(rf"(?P<num>\d{{1,3}}|[{_CN_DIGITS}]{{1,4}})\s*(?:多|来)?\s*周?岁(?!月)")
_FAMILY_WORDS = (
    "妈妈 母亲 老妈 爸爸 父亲 老爸 老伴 丈夫 老公 爱人 妻子 老婆 媳妇 儿子 女儿 孩子 小孩 "
    "孙子 孙女 外孙女 外孙 爷爷 奶奶 外公 外婆 姥姥 姥爷 哥哥 姐姐 弟弟 妹妹 儿媳 女婿 "
    "公公 婆婆 岳父 岳母 侄子 侄女 舅舅 姑姑 叔叔 婶婶"
).split()
# 老大/老二 are children (老大交不起学费), but not inside 老大爷, 老大娘.
_FAMILY = re.compile(
    "|".join(re.escape(w) for w in sorted(_FAMILY_WORDS, key=len, reverse=True))
    + r"|老[大二三](?![爷娘妈哥姐])"
)


@dataclass(frozen=True)
class Entities:
    phones: tuple[str, ...]
    id_numbers: tuple[str, ...]
    amounts: tuple[int, ...]
    ages: tuple[int, ...]
    family: tuple[str, ...]


def extract(text: str) -> Entities:
    ids, rest = _id_numbers(text)
    phones, rest = _phones(rest)
    return Entities(
        phones=phones,
        id_numbers=ids,
        amounts=_amounts(rest),
        ages=_ages(rest),
        family=_unique(m.group() for m in _FAMILY.finditer(text)),
    )


def _id_numbers(text: str) -> tuple[tuple[str, ...], str]:
    found: list[str] = []
    for match in _first(_ID.finditer(text)):
        try:
            found.append(normalise_id_number(match.group()))
        except InvalidIdentity:
            continue
    # Blank every 18-digit run, valid or not, so its digits are not read as a phone or money.
    return _unique(found), _ID.sub(lambda m: " " * len(m.group()), text)


def _phones(text: str) -> tuple[tuple[str, ...], str]:
    found: list[str] = []
    for match in _first(_PHONE.finditer(text)):
        try:
            found.append(normalise_phone(match.group()))
        except InvalidIdentity:
            continue
    return _unique(found), _PHONE.sub(lambda m: " " * len(m.group()), text)


@lru_cache(maxsize=4096)  # cn2an's smart mode costs tens of microseconds a call
def chinese_number(raw: str) -> float | None:
    """'两万' → 20000, '1.5万' → 15000, '一千五' → 1500; None if it is no number."""
    # Imported on first use: cn2an compiles its patterns on import (a seventh of a
    # second), which a process that never reads an amount should not pay.
    import cn2an

    raw = raw.replace(" ", "").replace("〇", "零")
    try:
        value = cn2an.cn2an(raw, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def _amounts(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for match in _first(_AMOUNT.finditer(text)):
        num, unit = match.group("num").strip(), match.group("unit")
        cued = bool(_MONEY_CUE.search(text[max(0, match.start() - 6) : match.start()]))
        if not (unit or "万" in num or cued) or (num.isdigit() and len(num) > 9):
            continue
        if unit == "万元":
            num += "万"
        value = chinese_number(num)
        if value is not None and (10 if cued and not unit else 1) <= value < 1e9:
            found.append(int(round(value)))
    return _unique(found)


def _ages(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for match in _first(_AGE.finditer(text)):
        value = chinese_number(match.group("num"))
        if value is not None and 0 < value <= 120 and value == int(value):
            found.append(int(value))
    return _unique(found)


def _first(matches: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
    return itertools.islice(matches, MATCHES_READ)


def _unique(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))
