"""Urgency cues that rules catch more reliably than the model.

A missed `critical` is the worst error the system can make, so the critical
cues are generous; two guards keep them honest: a negation just before the
cue (没想过自杀), a past event told as past (去年差点喝药，现在好多了) and a
sentence that says it was not meant (说要跳河，开玩笑的); a worry about later
(担心以后孩子没人管) counts as not now, like the past.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Yunnan/Sichuan speech as callers say it → the words the cues are written in.
_DIALECT = (
    ("莫得", "没有"),
    ("没得", "没有"),
    ("屋头", "家里"),
    ("家头", "家里"),
    ("娃娃", "孩子"),
    ("咋个", "怎么"),
)

def _any(*alternatives: str) -> str:
    return "|".join(alternatives)


_DAYS = r"(?:好几|几|一|两|三|四|五|一两|两三|三四|多|(?<!\d)\d{1,3})天"
_CHILD = r"(?:孩子|小孩|娃|儿童|孙子|孙女|婴儿|宝宝|小姑娘|未成年)"
_HELPLESS = "(?:" + _any(
    "瘫", "卧床", "卧病", "躺在床上", "倒在地上", "起不来", "走不动", "不能动", "动不了",
    "失能", "智障", "精神", "不能自理", "失禁", "摔倒",
) + ")"
_NO_CARER = "(?:" + _any(
    "没有?人管", "没有?人照顾", "无人照料", "无人照顾", "没有?人照料", "没有?人看",
    "没有?人送饭", "无人看管", "一个人都没有", "无人看护", "没有?人看护", "无人照护",
    "(?:仅|只)靠邻居(?:送|接济|照顾|看)",
) + ")"
# The one who cared for a helpless person has died or gone: "原由其母照料，其母上月病故".
_CARER_GONE = "(?:" + _any("去世", "过世", "病故", "走了", "没了", "不在了", "失联", "联系不上") + ")"
# A helpless adult left alone (LABELLING.md section 4); for children 一个人在家 needs days.
_LEFT_ALONE = "(?:" + _any(
    _NO_CARER, "一个?人在家", "独自在家", "身边没有?人", "没有?人在身边", "家里(?:现在)?没有?人",
) + ")"

CRITICAL_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("轻生", _any(
            "不想活", "活不下去", "活着没有?意思", "活着还有什么意思", "想死", "寻死", "自杀",
            "轻生", "想不开", "一了百了", "寻短见", "死了算了", "不如死了", "跳河", "跳楼",
            "跳崖", "上吊", "割腕", "割脉", "站在楼顶", "在楼顶上", "站在桥上",
            "不活了", "活够了", "寻死觅活", "死给.{0,3}看", "烧炭", "跳下去",
            "(?:老鼠药|安眠药|农药).{0,8}(?:准备好|备好|攒|吃了|喝了|买好)", "吞了?.{0,4}药",
            # Said round about: life is pointless, the world is better without me, leave-taking.
            "活着(?:也|还)?(?:没有?|没啥|有什么|有啥)(?:什么|啥)?(?:意思|用|盼头|意义)",
            "活着.{0,10}(?:还有|有)(?:什么|啥)意思", "活着(?:好|太|真|很)累", "等死",
            "(?:世界|世上|家里)(?:上)?没有我.{0,4}(?:更好|好些|好过|清净)", "不想拖累",
        )),
        # Leave-taking: told about later by its nature, so a future word does not set it aside.
        ("托付后事", _any(
            "交代后事", "遗书", f"{_CHILD}.{{0,6}}(?:就)?拜托(?:给)?(?:政府|你们)",
            "存款.{0,4}(?:转给|留给)", "(?:把|将)后事",
        )),
        ("轻生", _any(
            "(?:想|要|准备|打算|闹着|扬言|说要|差点|去)喝(?:农)?药", "喝了?农药",
            "喝药(?:算了|自杀|死)",
        )),
        ("断炊", _any(
            "断炊", "断粮", "断顿", f"{_DAYS}(?:都|了)?没有?(?:吃饭|吃东西|吃的|开火|饭吃)",
            f"饿了{_DAYS}", f"(?:米|粮食|吃的)(?:都|也)?(?:没有|吃完)了?.{{0,6}}{_DAYS}",
            f"(?:无米|没米|没有米).{{0,6}}{_DAYS}", "一粒米都没有", "没有一粒米",
            f"米缸.{{0,4}}空.{{0,4}}{_DAYS}", "靠喝水",
            "家里没有吃的", "屋里没有吃的", "屋内无食物", "饿得.{0,4}(?:不行|受不了|发昏|走不动|直哭)",
        )),
        ("无人照护", _any(
            f"{_CHILD}.{{0,8}}(?:一个人|独自|单独).{{0,6}}(?:在家|在家里).{{0,6}}{_DAYS}",
            f"{_CHILD}.{{0,8}}{_NO_CARER}", f"{_HELPLESS}.{{0,14}}{_LEFT_ALONE}",
            f"{_LEFT_ALONE}.{{0,10}}{_HELPLESS}",
            f"(?:照顾|照料|护理|带|生活).{{0,20}}{_CARER_GONE}.{{0,40}}{_LEFT_ALONE}",
            f"(?:失能|瘫|卧床|不能自理).{{0,30}}(?:家属|子女|家人){_CARER_GONE}",
            f"{_HELPLESS}.{{0,40}}(?:仅|只)靠邻居(?:送|接济|照顾|看)",
            # A child whose only carer is bed-ridden: the child is the carer.
            f"{_CHILD}.{{0,40}}(?:爷爷|奶奶|外公|外婆|老人)(?:又|也|都)?(?:瘫|卧床|病倒|不能动)",
            f"{_CHILD}.{{0,24}}(?:无|没有?)(?:其他)?(?:近)?亲(?:属|人)",
            "(?:智力障碍|智障|痴呆|精神(?:病|异常|障碍)).{0,24}(?:走失|问不出|沿(?:着)?(?:公路|马路|国道))",
            f"{_HELPLESS}.{{0,12}}(?:无法|不能)(?:自行)?(?:转移|撤离)",
            "喊都喊不答应", "叫(?:她|他)?也不(?:怎么)?答应", "没有?人发现",
            "(?:呼叫|叫门|敲门|喊)(?:都|也)?不(?:应答|应|答应)",
            f"{_CHILD}.{{0,8}}在家里?.{{0,4}}(?:就|只有)(?:他们|她们)(?:两个|俩|几个)",
            f"{_CHILD}.{{0,30}}{_DAYS}(?:了)?(?:都|也)?没有?回(?:来|家)",
            f"(?:锁|关)在(?:家|屋)里.{{0,10}}(?:没有?人|{_DAYS}|出不来)",
        )),
        ("露宿受冻", _any(
            "冻得", "冻死", "冻坏", "冻僵", "(?:街上|桥下|桥洞|路边|露宿).{0,12}(?:冷|雪|冻)",
            "(?:一家人|全家|孩子|老人).{0,6}(?:在外头|在外面|露天).{0,6}(?:淋雨|过夜|睡)",
            "(?:塑料棚|棚子|窝棚|院子里|院坝|屋外|外面).{0,12}(?:晚上|夜里|半夜)(?:又|也|还)?(?:很|好|太|特别|非常)?冷",
        )),
        ("生命危险", _any(
            "救命", "被压在", "压在下面", "(?:人|老人|孩子|家人)(?:被埋|被困)", "困住了",
            "人员被困", "一家被困", "被?困在.{0,3}(?:楼|屋|水|里|山|车)", "施救", "求救援",
            # Someone out of reach where a disaster struck.
            "(?:洪灾|洪水|山洪|泥石流|滑坡|地震|暴雨|塌方).{0,30}(?:联系不上|失联)",
            "人还在里", "下落不明", "快不行了", "奄奄一息", "情况危急", "生命危险", "危及生命",
        )),
        ("暴力", _any(
            "(?:家庭暴力|家暴|被打).{0,24}(?:逃|躲|不敢回|严重|打得|住院|报警)",
            "又打(?:她|他|我|孩子)", "打得.{0,8}(?:血|住院|起不来)", "都是血", "拿刀", "要杀",
            "砍人", "掐脖子", "(?:殴打|虐待).{0,12}(?:伤|血|不敢|骨折)", "持刀", "刀.{0,4}威胁",
            "扬言.{0,10}(?:还要打|打死|要杀|弄死)",
            "身上.{0,6}(?:有伤|新伤|伤痕|淤青)", "(?:皮带|棍子|鞭子).{0,4}(?:打|抽)",
        )),
    )
)

URGENT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("火灾", _any("火灾", "着火", "失火", "烧毁", "烧掉", "烧没", "烧塌", "烧光", "爆炸")),
        ("意外", _any(
            "车祸", "被车撞", "撞了", "摔伤", "摔下来", "摔破", "绞伤", "截肢", "被蛇咬", "毒蛇",
            "触电", "溺水",
        )),
        ("急病", _any(
            "突发", "突然(?:病|倒|晕|中风|去世|查出)", "急病", "脑溢血", "中风", "心梗", "脑梗",
            "病危", "抢救", "重症监护", "ICU", "大出血", "颅内出血",
        )),
        ("灾害", _any(
            "洪水", "山洪", "泥石流", "滑坡", "地震", "冰雹", "雹子", "暴雨", "大风", "发大水",
            "发水", "冲毁", "冲垮", "冲走", "被冲", "倒塌", "塌了", "垮了", "雷击", "雷劈",
            "龙卷风", "内涝", "进水",
        )),
        ("生活无着", _any(
            "揭不开锅", "没饭吃", "身无分文", "一分钱都没有", "无处居住", "没有地方住",
            "无处安身", "露宿", "走失", "跑路", "老板跑了", "被偷", "失窃", "生活无着",
        )),
    )
)

# Past, or only feared for later (担心以后孩子没人管): either way not happening now.
_PAST = re.compile(_any(
    "去年", "前年", "以前", "之前", "早些年", "(?<![一二两三四五六七八九十几多\\d])[一二两三四五六七八九十几多\\d]{1,4}年前", "那年", "那时",
    "当时", "曾经", "小时候", "年轻时", "过去", "上次", "那段时间", "那阵子", "那几年",
    "(?<!了)以后", "将来",
))
# Cues that a word of the past or the future does not set aside.
_ALWAYS_NOW = frozenset({"托付后事"})
_NOW = re.compile(_any(
    "又", "还是", "现在还", "最近", "这几天", "今天", "昨天", "刚才", "刚刚", "马上", "正在",
))
_NEGATION = re.compile(
    "(?:没有|没|不会|不是|从没|从不|并没|并不|未曾?|不要)(?:想过|想|有过|打算)?$"
)
# Bed-ridden for years (瘫痪在床好几年, 长期卧床): someone looks after them unless the text
# says nobody does, so the model alone does not make such a text critical.
_LONG_BEDRIDDEN = re.compile(
    r"(?:瘫痪?|卧床|卧病|躺在床上)(?:在床上?)?(?:已经|都|有)?"
    r"(?:十几|好几|几|多|两|三|四|五|六|七|八|九|十|\d+)多?年"
    r"|(?:常年|长年|长期|多年|几年|好几年|十几年)(?:瘫痪?|卧床|卧病|躺在床上)"
)
_NOBODY_THERE = re.compile(_any(
    _LEFT_ALONE, "一个人", "独自", "独居", "家里没有?人", "无人照看", "没有?人给.{0,3}送饭",
    "无人居住",
))
_NOT_MEANT = re.compile(_any("开玩笑", "玩笑", "说着玩", "口头禅", "说说而已", "念叨"))
# Transcripts have no punctuation: a pause (a space) ends a clause there.
_CLAUSE = re.compile(r"[^,，。!！?？;；\s]+")
_SENTENCE = re.compile(r"[。!！?？;；\n]")


@dataclass(frozen=True)
class UrgencyCues:
    critical: tuple[str, ...]  # phrases of the text that make it critical
    urgent: tuple[str, ...]
    # Phrases that keep the model from raising critical: critical cues set aside as
    # negated or past, and a bed-ridden person told with nothing saying they are alone.
    guarded: tuple[str, ...]

    @property
    def level(self) -> str:
        if self.critical:
            return "critical"
        return "urgent" if self.urgent else "normal"


def canonical(text: str) -> str:
    for spoken, written in _DIALECT:
        text = text.replace(spoken, written)
    return text


def find_cues(text: str) -> UrgencyCues:
    """Cues in a normalised text (see nlp.normalise)."""
    text = canonical(text)
    critical: list[str] = []
    guarded: list[str] = []
    urgent: list[str] = []
    for sentence in _SENTENCE.split(text):
        urgent_matches = [m for _, pattern in URGENT_CUES for m in pattern.finditer(sentence)]
        critical_matches = [
            (name, m) for name, pattern in CRITICAL_CUES for m in pattern.finditer(sentence)
        ]
        if not urgent_matches and not critical_matches:
            continue
        past = _PastReading(sentence)
        not_meant = bool(_NOT_MEANT.search(sentence))
        urgent.extend(m.group() for m in urgent_matches if not past.told_as_past(m.start()))
        for name, match in critical_matches:
            as_past = name not in _ALWAYS_NOW and past.told_as_past(match.start())
            if not_meant or as_past or _negated(sentence, match):
                guarded.append(match.group())
            else:
                critical.append(match.group())
    if not critical and _LONG_BEDRIDDEN.search(text) and not _NOBODY_THERE.search(text):
        guarded.extend(m.group() for m in _LONG_BEDRIDDEN.finditer(text))
    return UrgencyCues(_unique(critical), _unique(urgent), _unique(guarded))


def _negated(sentence: str, match: re.Match[str]) -> bool:
    return bool(_NEGATION.search(sentence[max(0, match.start() - 6) : match.start()]))


class _PastReading:
    """Which clauses of a sentence tell of the past, read once per sentence.

    A cue is past if its clause or the one before places it in the past and its
    own clause has nothing saying it is back (又, 现在还, 今天…).
    """

    def __init__(self, sentence: str) -> None:
        clauses = list(_CLAUSE.finditer(sentence))
        self._starts = [c.start() for c in clauses]
        self._past = [bool(_PAST.search(c.group())) for c in clauses]
        self._now = [bool(_NOW.search(c.group())) for c in clauses]

    def told_as_past(self, position: int) -> bool:
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return False
        before = index > 0 and self._past[index - 1]
        return (self._past[index] or before) and not self._now[index]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
