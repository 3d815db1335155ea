from __future__ import annotations

import pytest

from nlp.analyser import Analyser
from nlp.categories import CATEGORIES
from nlp.identity import id_check_digit
from nlp.signals import INTENTS, URGENCY_LEVELS, Signals

FIRST17 = "53032919560708104"
ID_NUMBER = FIRST17 + id_check_digit(FIRST17)

# Twenty requests written for this test, not taken from the corpus: (text, lead, critical).
FRESH_REQUESTS: list[tuple[str, str, bool]] = [
    ("我家男人前年出车祸走了,我一个人在家种两亩玉米,还要供两个娃读书,一年到头挣不到几个钱,"
     "想申请低保,要找哪个", "dibao", False),
    ("村里有个老光棍,七十多了,无儿无女,自己也干不动活了,能不能给他办个五保", "tekun", False),
    ("昨天半夜我家厨房起火,整个屋子都烧完了,一家人现在借住在邻居家,衣服被子都没有了",
     "linshi", False),
    ("我女儿查出来白血病,在昆明住院化疗,医保报完还差十几万,家里实在拿不出来了", "yiliao", False),
    ("儿子考上了大学,学费一年要五千多,家里是低保户,有没有助学的政策可以帮一下", "jiaoyu", False),
    ("我家的土坯房墙都裂开了,一下雨就漏,住着提心吊胆的,能不能申请危房改造", "zhufang", False),
    ("我今年四十五了,厂里裁员把我裁了,出去找活人家都嫌年纪大,想问问有没有公益性岗位",
     "jiuye", False),
    ("前天晚上的冰雹把我家一季的烤烟全打烂了,房顶的瓦也碎了好多", "shouzai", False),
    ("我们镇上来了个外地的流浪汉,在街上乞讨一个多月了,想问救助站能不能帮他买张车票回老家",
     "liulang", False),
    ("我是肢体二级残疾,残疾证办好了,听说有护理补贴,要到哪里去申请", "canji", False),
    ("我孙女的爸爸在坐牢,妈妈改嫁后就不管她了,一直跟着我这个老太婆,听说有事实无人抚养儿童的补助",
     "ertong", False),
    ("我妈八十多了一个人住在老家,我们都在外地打工,想问村里能不能安排人经常去看看她", "laonian",
     False),
    ("在浙江的厂里干了大半年,老板一直拖着不发工资,欠了我一万八,想请个律师又请不起", "falv", False),
    ("我要举报我们村的村干部,他亲戚家开着小轿车还吃着低保,真正困难的人反倒评不上", "tousu", False),
    ("我们小区楼下的垃圾好几天都没人清理了,臭得很,找物业也不管", "feijiuzhu", False),
    ("老公欠了一屁股赌债跑了,我一个人带三个孩子,有时候真觉得活着没意思,不知道该找谁",
     "linshi", True),
    ("隔壁王大爷中风以后就瘫在床上,儿女都在外面,已经两天没人给他送饭了", "tekun", True),
    ("村口那家的两个小娃娃,大人出去打工一个多月了,孩子一个人在家好几天,饭都吃不上",
     "ertong", True),
    ("我以前也想过喝药,那时候太难了,现在好多了,就想问问我家能不能申请低保", "dibao", False),
    ("去年差点喝药,现在好多了,孩子上学想申请个助学金", "jiaoyu", False),
]


def check_valid(signals: Signals) -> None:
    assert all(n.category in CATEGORIES for n in signals.needs)
    assert signals.intent in INTENTS
    assert signals.urgency in URGENCY_LEVELS
    assert 0.0 <= signals.confidence <= 1.0
    probabilities = [n.probability for n in signals.needs]
    assert probabilities[1:] == sorted(probabilities[1:], reverse=True)


def test_fresh_requests_lead_category(analyser: Analyser) -> None:
    results = analyser.analyse_many([text for text, _, _ in FRESH_REQUESTS])
    wrong = [
        (text[:20], signals.categories)
        for signals, (text, lead, _) in zip(results, FRESH_REQUESTS, strict=True)
        if signals.categories[:1] != (lead,)
    ]
    assert len(wrong) <= 4, wrong


def test_fresh_requests_critical_exactly(analyser: Analyser) -> None:
    results = analyser.analyse_many([text for text, _, _ in FRESH_REQUESTS])
    for signals, (text, _, critical) in zip(results, FRESH_REQUESTS, strict=True):
        assert (signals.urgency == "critical") == critical, text
        check_valid(signals)


def test_critical_has_evidence_from_the_text(analyser: Analyser) -> None:
    signals = analyser.analyse("邻居家老人瘫在床上没人管,好几天了")
    assert signals.urgency == "critical"
    assert signals.urgency_evidence
    assert all(phrase in signals.text for phrase in signals.urgency_evidence)


def test_several_needs_in_one_request(analyser: Analyser) -> None:
    signals = analyser.analyse(
        "孩子白血病住院,医保报销后还欠二十万,孩子妈妈没有工作,老大读高中也交不起学费了"
    )
    assert signals.in_scope
    assert {"yiliao", "jiaoyu"} <= set(signals.categories)
    assert len(signals.categories) >= 3


def test_out_of_scope(analyser: Analyser) -> None:
    signals = analyser.analyse("小区门口的路灯坏了一个多月了,晚上黑黢黢的,谁来修一下")
    assert not signals.in_scope
    assert signals.categories == ("feijiuzhu",)


def test_complaint_intent(analyser: Analyser) -> None:
    signals = analyser.analyse("我要投诉镇上民政所的工作人员,低保材料交了三个月一直推来推去")
    assert signals.intent == "tousu"
    assert signals.categories[0] == "tousu"


def test_entities_places_and_original_are_kept(analyser: Analyser) -> None:
    original = f"我媽媽七十多歲了,住院花了兩萬多,住白石鎮新民村,電話13812345678,身份證{ID_NUMBER}"
    signals = analyser.analyse(original)
    assert signals.original == original
    assert signals.text.startswith("我妈妈七十多岁了")
    assert signals.ages == (70,)
    assert 20000 in signals.amounts
    assert signals.phones == ("+8613812345678",)
    assert signals.id_numbers == (ID_NUMBER,)
    assert signals.family == ("妈妈",)
    assert [(m.text, m.level) for m in signals.places] == [
        ("白石镇", "township"),
        ("新民村", "village"),
        ("新民村", "village"),
    ]
    assert signals.model_version == analyser.version


def test_needs_carry_evidence_words(analyser: Analyser) -> None:
    signals = analyser.analyse("我家想申请低保,家里没有收入")
    assert signals.needs[0].category == "dibao"
    assert signals.needs[0].evidence


@pytest.mark.parametrize("text", ["", "   ", "\u200b\n\t"])
def test_empty_text_gives_no_needs(analyser: Analyser, text: str) -> None:
    signals = analyser.analyse(text)
    assert signals.needs == () and not signals.in_scope
    assert signals.urgency == "normal" and signals.confidence == 0.0


def test_batch_equals_one_by_one(analyser: Analyser) -> None:
    texts = [text for text, _, _ in FRESH_REQUESTS[:6]] + [""]
    assert analyser.analyse_many(texts) == [analyser.analyse(t) for t in texts]


def test_batch_refuses_a_bare_string(analyser: Analyser) -> None:
    with pytest.raises(TypeError):
        analyser.analyse_many("低保")


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("今天想正式申请一下低保，我爸瘫痪在床好几年了，家里没有收入", {"normal", "urgent"}),
        ("我爸瘫痪在床好几年了，这几天身边没人，我们都在外地", {"critical"}),
    ],
)
def test_bedridden_is_critical_only_when_left_alone(
    analyser: Analyser, text: str, allowed: set[str]
) -> None:
    assert analyser.analyse(text).urgency in allowed


@pytest.mark.parametrize(
    "text",
    [
        "医疗救助要去哪个部门办",
        "想问一下低保申请需要什么材料，要去哪里办",
        "孤儿基本生活费找哪个部门",
    ],
)
def test_a_question_about_an_assistance_programme_is_never_out_of_scope(
    analyser: Analyser, text: str
) -> None:
    signals = analyser.analyse(text)
    assert signals.in_scope, signals.needs
    assert signals.needs[0].category != "feijiuzhu"
