from __future__ import annotations

import copy
import dataclasses

import pytest

from nlp.analyser import Analyser
from nlp.categories import CATEGORIES
from nlp.hardship import read
from nlp.model import model_text
from nlp.normalise import normalise
from nlp.programmes import programme_named


def reading(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    found = read(model_text(normalise(text)))
    return found.hardship, found.question, found.question_only


@pytest.mark.parametrize(
    "text",
    [
        "低保申请需要哪些材料？",
        "请问特困人员的基本生活标准是多少？",
        "咨询：临时救助的审批时限是多少个工作日。",
        "吃低保的可不可以出去打工嘛",
        "残疾人两项补贴去哪里办？",
        "特困供养人员能否选择到县城养老院集中供养？",
        "临时救助是不是只能户籍地申请？",
        "失能老人护理补贴要咋个申请",
        "临时救助是给钱还是给东西哦",
        "五保户住进敬老院的话自己要不要出钱",
    ],
)
def test_pure_questions_are_question_only(text: str) -> None:
    hardship, question, only = reading(text)
    assert question and not hardship and only


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("临时救助需要什么材料？我们家上个月孩子住院花了一万多", "amount"),
        ("医疗救助怎么申请？看病欠了亲戚的钱还不上", "debt"),
        ("低保要咋个申请 莫得收入了", "no_money"),
        ("请问危房改造今年还有吗？我家房子漏雨", "house"),
        ("昨晚后山的石头滚下来砸塌了半间房，补助怎么申请？", "house"),
        ("大风刮跑了屋顶的瓦，算不算受灾？", "house"),
        ("孩子父母都去世了，孤儿怎么认定？", "no_carer"),
        ("厂子倒闭了我下岗了，公益性岗位怎么报名？", "no_work"),
        ("家里着火了，临时救助怎么申请？", "event"),
        ("能不能帮帮我们，低保怎么申请？", "plea"),
    ],
)
def test_a_told_hardship_is_not_question_only(text: str, group: str) -> None:
    hardship, question, only = reading(text)
    assert group in hardship
    assert question and not only


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("上个月厨房着火烧了一半，现在已经修好了，还能申请临时救助吗？", "event"),
        ("我妈去年住院做了手术，现在身体还可以，医疗救助一般多久能批？", "illness"),
        ("前年我下岗了，现在找到工作了，公益性岗位明年还能报名吗？", "no_work"),
    ],
)
def test_a_hardship_told_as_over_is_set_aside(text: str, group: str) -> None:
    found = read(model_text(normalise(text)))
    assert group in found.set_aside and group not in found.hardship
    assert found.question_only


def test_money_owed_stays_a_hardship_after_recovery() -> None:
    found = read(model_text(normalise("去年住院欠了两万多，现在身体好了，还能申请医疗救助吗？")))
    assert "amount" in found.hardship and "illness" in found.set_aside
    assert not found.question_only


def test_a_statement_without_question_is_not_question_only() -> None:
    assert not reading("我想申请低保")[2]


def test_digits_read_as_model_text() -> None:
    assert "amount" in reading("住院自付了3万2千元，医疗救助怎么报？")[0]


def _with_settings(analyser: Analyser, **changes: float) -> Analyser:
    model = copy.copy(analyser.model)
    model.settings = dataclasses.replace(model.settings, **changes)
    return Analyser(model, analyser.version)


# The model alone puts the first two under their topic (checked when written).
QUESTIONS = [
    "低保一个月能领多少钱？",
    "请问临时救助最多给多少？",
    "请问医疗救助一年最多能报多少？",
    "残疾人护理补贴需要什么材料？",
]


def test_a_question_only_text_leads_zixun_once_zixun_is_likely_enough(
    analyser: Analyser,
) -> None:
    eager = _with_settings(analyser, question_zixun=0.0)
    for text in QUESTIONS:
        assert eager.analyse(text).categories[0] == "zixun", text


def test_a_told_hardship_is_never_forced_to_zixun(analyser: Analyser) -> None:
    eager = _with_settings(analyser, question_zixun=0.0)
    text = "我家房子塌了一半，下雨就漏，危房改造怎么申请？"
    assert eager.analyse(text).categories[0] != "zixun"


def test_lead_weight_zero_is_the_models_lead_alone(analyser: Analyser) -> None:
    plain = _with_settings(analyser, lead_need_weight=0.0, question_zixun=2.0)
    texts = ["我妈住院花了两万多，报销后还欠一万，家里没收入了", *QUESTIONS]
    model = plain.model
    _, matrix = model.features([model_text(normalise(t)) for t in texts])
    heads = model.predict(matrix).lead.argmax(axis=1)
    for text, column in zip(texts, heads, strict=True):
        signals = plain.analyse(text)
        head = CATEGORIES[int(column)]
        if head == "feijiuzhu" and programme_named(signals.text):
            assert signals.in_scope  # a programme named keeps it in scope (nlp/programmes.py)
            continue
        assert signals.categories[0] == head or not signals.in_scope


@pytest.mark.parametrize(
    "text",
    ["特困人员残疾证到期了", "我想申请低保", "申请住房租赁补贴，家里是低保户", "低保的分类是咋个分的"],
)
def test_any_question_form_counts_only_when_present(text: str) -> None:
    found = read(model_text(normalise(text)))
    assert found.asks_nothing == (text != "低保的分类是咋个分的")


# Applications stated without a question; the model alone led these with zixun (checked
# when written: 租赁补贴 and 集中供养 come mostly in questions in the train split).
APPLICATIONS = [
    ("低保户，在县城租房，申请租赁补贴", "zhufang"),
    ("申请住房租赁补贴，家里是低保户，租房住", "zhufang"),
    ("特困人员，申请集中供养。", "tekun"),
]


@pytest.mark.parametrize(("text", "topic"), APPLICATIONS)
def test_a_text_that_asks_nothing_is_never_a_policy_question(
    analyser: Analyser, text: str, topic: str
) -> None:
    assert analyser.analyse(text).categories[0] == topic
