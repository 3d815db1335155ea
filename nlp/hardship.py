"""Rule cues that tell a pure policy question apart from a told hardship.

The TF-IDF heads see topic words (低保, 医疗救助) that a pure question and a
request for help share; whether the caller tells a current hardship (an amount
owed, no income, a house falling down, nobody to care) or pleads for help
decides between `zixun` and the topic (nlp/data/LABELLING.md, section 1). The
analyser lets a question with none of these lead `zixun` when the model gave
`zixun` a fair chance. (As extra model columns the cues made cross-validated
accuracy worse, so they stay rules.) An illness, event, damaged house, missing carer
or lost work told together with its end (现在好了, 已经修好, 身体还可以) is background,
not a current hardship (LABELLING.md, section 1), and is set aside.

The patterns read model texts (nlp.model.model_text): dialect already mapped and
every digit run written as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _any(*alternatives: str) -> str:
    return "|".join(alternatives)


_AMOUNT = r"(?:0|[一二两三四五六七八九十几百千]+)(?:多|来)?(?:万|千|块|元)"

HARDSHIP_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("amount", _any(
            f"(?:花了|花掉|用了|自付|欠了?|借了?|还差|差|要|需要|交了|押金|一共|总共).{{0,6}}{_AMOUNT}",
            f"{_AMOUNT}.{{0,4}}(?:的债|的账|外债|欠款|医药费|住院费|手术费)",
        )),
        ("debt", _any(
            "欠(?:了|下|着)?(?:债|账|钱|款|医院|亲戚|别人)", "外债", "借钱", "借遍", "借了", "贷款还不上",
            "负债", "还不起", "还不上",
        )),
        ("no_money", _any(
            "没有?(?:收入|钱|经济来源|生活来源|劳动力|劳动能力)", "揭不开锅", "吃不上饭", "没饭吃",
            "(?:交|付|看|拿|出|吃|上|住|用)不起", "拿不出", "凑不齐", "凑不够", "凑不出",
            "生活(?:很|非常|特别|十分)?困难", "家庭困难", "日子难过", "过不下去", "难以维持",
            "入不敷出", "一贫如洗", "穷", "困难得很", "经济困难", "无力(?:承担|支付|负担)",
        )),
        ("illness", _any(
            "住院", "透析", "化疗", "放疗", "手术", "癌", "白血病", "尿毒症", "肿瘤", "瘫",
            "病倒", "重病", "大病", "中风", "脑梗", "ICU", "卧床", "病危",
        )),
        ("house", _any(
            "(?:房子?|屋子?|墙|屋顶|房顶|瓦)(?:都|也)?(?:塌|倒|漏|裂|垮|歪)", "危房", "漏雨",
            "没有?地方住", "无处(?:居住|安身)", "住不了人", "土坯房", "被冲",
            "(?:砸|冲|震|烧|压|刮|吹)(?:坏|塌|烂|裂|垮|倒|跑)了?(?:一|半|两|几)?(?:面|堵|间|边)?(?:墙|房|屋|瓦)",
        )),
        ("no_carer", _any(
            "没有?人(?:管|照顾|照料|看|送饭|抚养|养)", "无人(?:照料|照顾|看管|抚养|赡养)",
            "一个人(?:在家|住|生活)", "独居", "孤寡", "子女(?:都)?(?:不管|在外)", "父母双亡",
            "去世", "死了", "服刑", "坐牢", "出走", "跑了",
        )),
        ("no_work", _any(
            "失业", "下岗", "没有?(?:工作|活干|事做)", "找不到(?:工作|活)", "辞退", "裁员",
            "干不(?:了|成)活", "厂(?:子|里)?倒闭", "被开除",
        )),
        ("event", _any(
            "火灾", "着火", "失火", "烧了", "烧毁", "车祸", "被车撞", "摔伤", "洪水", "泥石流",
            "滑坡", "冰雹", "地震", "暴雨", "被偷",
        )),
        ("plea", _any(
            "帮帮", "帮一下", "帮忙", "求求", "求助", "救救", "希望政府", "请政府", "给(?:我们|点|些)",
            "能不能给", "怎么办", "没办法了", "实在没办法", "走投无路",
        )),
    )
)

QUESTION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("how", _any(
            "怎么(?:申请|办|弄|领|算|报|查|认定|评)", "如何", "流程", "程序", "手续", "步骤",
            "咋个?(?:申请|办|弄|整|领|认定|搞|报)", "怎样", "怎么样才",
        )),
        ("what", _any(
            "(?:什么|哪些|啥)(?:材料|资料|条件|证明|手续|东西)", "需要(?:带|准备|提供|交)",
            "要(?:带|准备)什么", "条件是",
        )),
        ("how_much", _any("多少", "标准", "几个?(?:月|天|工作日)", "多久", "多长时间", "几号", "什么时候")),
        ("may", _any(
            "能不能", "可不可以", "可以.{0,12}吗", "能.{0,12}吗", "是否", "会不会", "有没有",
            "算不算", "够不够", "还能", "影响", "是不是", "能否", "可否", "要不要",
            "还是.{0,12}[吗呢哦]",
        )),
        ("where", _any("哪里", "哪儿", "哪点", "哪个(?:部门|单位|窗口)", "找哪个", "找谁", "去哪")),
        ("ask", _any("请问", "咨询", "问一下", "问问", "想了解", "了解一下", "询问", "请教", "问下")),
    )
)

# Any question form at all, wider than QUESTION_CUES (a bare 吗, A还是B, 保不保得住):
# a text with none of it asks for no information, so it is never a pure policy question.
ANY_QUESTION = re.compile(r"[吗么呢?？]|还是|(.)不\1|想晓得|想知道|条件|标准")

# The hardship told is over: recovered, rebuilt, found work, doing fine.
RECOVERED = re.compile(
    "(?:现在|目前|已经|现已|早就)(?:都)?(?:好了|好多了|修好|重建|恢复|没事|好得很|找到)"
    "|身体(?:还|都)?(?:好|可以|还行|硬朗)|好得很|过得去|身体恢复"
)
# Groups that a recovery sets aside; money owed or missing stays a current hardship.
BACKGROUND_GROUPS = frozenset({"illness", "event", "house", "no_carer", "no_work", "plea"})


@dataclass(frozen=True)
class Reading:
    hardship: tuple[str, ...]  # names of the hardship groups found (plea included)
    question: tuple[str, ...]  # names of the question-form groups found
    set_aside: tuple[str, ...] = ()  # hardship groups told as over (RECOVERED)
    any_question: bool = True  # ANY_QUESTION found

    @property
    def question_only(self) -> bool:
        """Asked in question form, with no hardship told and no plea for help."""
        return bool(self.question) and not self.hardship

    @property
    def asks_nothing(self) -> bool:
        """No question form at all: a statement, an application or a plea."""
        return not self.question and not self.any_question


def read(model_text: str) -> Reading:
    """The cue groups of one text already passed through nlp.model.model_text."""
    hardship = tuple(name for name, pattern in HARDSHIP_CUES if pattern.search(model_text))
    question = tuple(name for name, pattern in QUESTION_CUES if pattern.search(model_text))
    any_question = bool(ANY_QUESTION.search(model_text))
    if hardship and RECOVERED.search(model_text):
        return Reading(
            tuple(name for name in hardship if name not in BACKGROUND_GROUPS),
            question,
            tuple(name for name in hardship if name in BACKGROUND_GROUPS),
            any_question,
        )
    return Reading(hardship, question, any_question=any_question)
