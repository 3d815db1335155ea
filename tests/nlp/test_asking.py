"""The need asked for first (nlp/asking.py and Analyser._asked_first)."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from nlp.analyser import Analyser
from nlp.asking import ask_items, first_ask
from nlp.categories import CATEGORIES
from nlp.model import model_text
from nlp.normalise import normalise
from nlp.tokens import words

# The same story, two asks: the need asked for leads (LABELLING.md, "Several needs").
SWAPPED_ASKS = [
    ("家里房子漏雨墙也裂了，我又失业了没有收入，想申请危房改造", "zhufang"),
    ("家里房子漏雨墙也裂了，我又失业了没有收入，想找个工作", "jiuye"),
    ("我妈住院欠了两万医药费，我爸八十了一个人在老家，希望有人定期上门照看我爸", "laonian"),
    ("我妈住院欠了两万医药费，我爸八十了一个人在老家，希望给我妈申请医疗救助", "yiliao"),
]


# One ask clause naming two needs, in both orders: the item asked first leads
# (both orders lead with the same need when the clause is read as one bag of words).
LISTED_ASKS = [
    ("我妈七十多了眼睛看不见，我在外地打工照顾不了她，能不能给她办残疾证、低保", "canji"),
    ("我妈七十多了眼睛看不见，我在外地打工照顾不了她，能不能给她办低保、残疾证", "dibao"),
    ("村里独居老人，患慢阻肺，住房是危房，子女在外省，请求纳入巡访关爱并协调危房改造",
     "laonian"),
    ("村里独居老人，患慢阻肺，住房是危房，子女在外省，请求协调危房改造和巡访关爱",
     "zhufang"),
    ("留守儿童，父母都外出了，跟爷爷生活，学习用品和冬衣都缺，申请教育救助及困境儿童关爱",
     "jiaoyu"),
    ("留守儿童，父母都外出了，跟爷爷生活，学习用品和冬衣都缺，申请困境儿童关爱及教育救助",
     "ertong"),
    ("听力残疾，需要助听器，也想参加技能培训找工作", "canji"),
    ("听力残疾，想参加技能培训找工作，也需要助听器", "jiuye"),
]

# Stories that lean towards another need than the one asked for: with the boost the need
# asked for leads in every one; without it the story's need leads in some (the flood one
# when written), which is what shows that the step matters.
STORY_THEN_ASK = [
    ("我老公前年摔断了腿干不了重活，家里两个孩子读书，一家人就靠我打零工，想申请医疗救助",
     "yiliao"),
    ("去年发洪水把房子冲坏了，现在还住在亲戚家，我又失业了，想申请低保", "dibao"),
    ("家里房子漏雨墙也裂了，孩子在读高中学费还差三千，想申请助学金", "jiaoyu"),
    ("娃儿他爸坐牢了，我一个人带两个娃儿，屋头房子也漏，想申请危房改造", "zhufang"),
    ("我是残疾人，老婆跑了，娃儿在读初中，想找个活干", "jiuye"),
    ("我得了尿毒症要透析，娃儿读大学学费交不起，想申请助学金", "jiaoyu"),
]


def _boosted(analyser: Analyser, boost: float) -> Analyser:
    model = copy.copy(analyser.model)
    model.settings = dataclasses.replace(model.settings, asked_first_boost=boost)
    return Analyser(model, analyser.version)


def test_the_first_clause_that_asks() -> None:
    assert first_ask("我家房子漏雨，老公也没工作，想申请低保，也想找个活") == "想申请低保"
    assert first_ask("喂 我那个房子 漏得很 能不能帮我修一下") == "能不能帮我修一下"
    assert first_ask("今天天气很好。") == ""
    assert first_ask("") == ""


def test_an_ask_clause_is_read_item_by_item() -> None:
    assert ask_items("请求纳入巡访关爱并协调医疗救助和危房改造") == [
        "请求纳入巡访关爱", "协调医疗救助", "危房改造"
    ]
    assert ask_items("能不能给她办残疾证、低保") == ["能不能给她办残疾证", "低保"]
    assert ask_items("") == []


@pytest.mark.parametrize(("text", "lead"), LISTED_ASKS)
def test_of_needs_listed_in_one_ask_the_first_leads(
    analyser: Analyser, text: str, lead: str
) -> None:
    assert analyser.analyse(text).categories[0] == lead


@pytest.mark.parametrize(("text", "lead"), SWAPPED_ASKS)
def test_of_the_same_needs_the_one_asked_for_leads(
    analyser: Analyser, text: str, lead: str
) -> None:
    assert analyser.analyse(text).categories[0] == lead


def test_a_large_boost_leads_with_the_listed_need_weighing_most_where_it_asks(
    analyser: Analyser,
) -> None:
    eager = _boosted(analyser, 1e6)
    for text, _ in SWAPPED_ASKS:  # each ask clause names one thing
        signals = eager.analyse(text)
        asked = words(first_ask(model_text(normalise(text))))
        listed = [n.category for n in signals.needs]
        weights = {c: eager.model.weight_of(asked, c) for c in listed}
        assert signals.categories[0] == max(weights, key=lambda c: weights[c]), text


def test_no_boost_keeps_the_models_lead(analyser: Analyser) -> None:
    plain = _boosted(analyser, 0.0)
    model = plain.model
    if model.settings.lead_need_weight != 1.0:
        pytest.skip("the scores below assume lead_need_weight 1.0")
    texts = [text for text, _ in SWAPPED_ASKS]
    _, rows = model.features([model_text(normalise(t)) for t in texts])
    predicted = model.predict(rows)
    for row, text in enumerate(texts):
        scores = predicted.lead[row] * predicted.needs[row]
        assert plain.analyse(text).categories[0] == CATEGORIES[int(scores.argmax())]


def test_the_need_asked_for_leads_over_the_story(analyser: Analyser) -> None:
    unboosted = _boosted(analyser, 0.0)
    story_led = 0
    for text, asked in STORY_THEN_ASK:
        assert analyser.analyse(text).categories[0] == asked, text
        plain = unboosted.analyse(text).categories
        assert asked in plain, text
        story_led += plain[0] != asked
    assert story_led > 0
