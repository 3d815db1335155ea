"""Social-assistance programmes named in a text.

A request that names one of them (低保, 临时救助, 残疾人两项补贴, 救助站 …) is about social
assistance by definition, so it is never out of scope (`feijiuzhu`), however much the rest of
it reads like a question for another office ("要去哪里办", "找哪个部门"). A status alone
(低保户, 五保户) is not a programme named: a 低保户 asking about water bills can be out of scope.
"""

from __future__ import annotations

import re

PROGRAMMES = re.compile(
    "|".join((
        r"低保(?!户)", r"最低生活保障", r"特困(?:供养|人员|救助)", r"五保(?!户)", r"供养金",
        r"临时救助", r"先行救助", r"医疗救助", r"教育救助", r"住房救助", r"就业救助",
        r"受灾人员救助", r"司法救助", r"法律援助", r"危房改造", r"(?<!宠物)救助站", r"流浪乞讨",
        r"残疾证", r"两项补贴", r"护理补贴", r"孤儿", r"事实无人抚养", r"困境儿童",
        r"基本生活费", r"高龄津贴", r"公益性岗位", r"助学金",
    ))
)


def programme_named(text: str) -> str | None:
    """The first programme named in a normalised text, if any."""
    found = PROGRAMMES.search(text)
    return found.group() if found else None
