"""The clause of a text that asks for something: which of several needs is asked for first.

LABELLING.md orders several needs by what the person asks for first (after a risk to
life and the pair rules) — not by the hardship told first in the story. Bag-of-words
heads cannot see order, so the analyser also reads the first clause with an ask in it
(申请, 需要, 能不能, 希望, 请 …) and lets the listed need it names first lead when the
scores are close (`Settings.asked_first_boost`). One clause often lists several asks
("请求纳入巡访关爱并协调医疗救助和危房改造"), so it is read item by item.
"""

from __future__ import annotations

import re

ASK = re.compile(
    "申请|需要|想要|想办|想给|想找|想报|想参加|想学|想让|能不能|可不可以|能否|请求|希望|要求|诉求|帮|求|安排|办理"
    "|怎么办|咋办|请问|咨询|询问|请"
)
_CLAUSE_END = re.compile(r"[，。！？；,.!?;：:\s]+")


def first_ask(text: str) -> str:
    """The first clause of a model text that asks for something, or "" when none does."""
    return next((clause for clause in _CLAUSE_END.split(text) if ASK.search(clause)), "")


# What separates the items of one ask: "办残疾证、低保", "医疗救助和危房改造", "…并给予临时救助".
_ITEM_END = re.compile("、|和|及|并|与|还有|另外|同时|也")


def ask_items(clause: str) -> list[str]:
    """The items of an ask clause in the order they are asked."""
    return [item for item in _ITEM_END.split(clause) if item]
