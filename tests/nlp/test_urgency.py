from __future__ import annotations

import pytest

from nlp.normalise import normalise
from nlp.urgency import find_cues


@pytest.mark.parametrize(
    "text",
    [
        "我真的不想活了",
        "他老是说活着没意思",
        "我老公今天喝了农药,在送医院的路上",
        "她说要喝药,我劝不住",
        "孩子一个人在家好几天了,大人都没回来",
        "隔壁老人瘫在床上没人管",
        "家里断炊三天了",
        "我们娘俩两天没吃饭了",
        "家头米都莫得了 三四天了",
        "一个老人睡在桥洞下面,天冷得很",
        "我现在站在楼顶上,不知道该怎么办",
        "救命 我们被困住了",
        "去年差点喝药,现在又不想活了",
        "我媽說活著沒意思",
        # Said round about, or in a transcript with no punctuation.
        "我男人走了以后 我也活着没啥意思了",
        "我觉得我这个人活着也没啥用",
        "我就是个废物,这个世界没有我会更好",
        "以后我家两个娃娃就拜托政府了,存款已经转给我妹了",
        "五保户独居,生活完全不能自理,大小便失禁,无人照料",
        "我婆婆卧床不能动 家里现在没人 我们在外省赶不回来",
        "单亲父亲昨天车祸死了,留下两个未成年子女,没有其他亲属",
        "一个智力障碍的少年沿着国道走,问不出住址",
        "房子被冲垮了 一家人都在外头淋雨 娃娃在发烧",
        "孩子长期被继父殴打,身上常有新伤",
        "觉得活着好累,不知道还有什么意思",
        "坐轮椅的老人摔倒在家门口,独居无人照顾,呼叫不应答",
        "正在遭受家暴,丈夫持刀威胁",
        "学生身上经常有伤,说是继父用皮带打的",
        "这个月一点收入都没有,米缸空了三天,靠喝水撑着",
        "我两个孙子在屋头 就他们两个 一个八岁一个五岁",
        "没钱买药已经停药一周了,没钱治就等死",
    ],
)
def test_critical_wording_is_caught(text: str) -> None:
    cues = find_cues(normalise(text))
    assert cues.level == "critical", cues


@pytest.mark.parametrize(
    "text",
    [
        "去年差点喝药,现在好多了,想问问低保怎么申请",
        "我从没想过自杀,就是想找个工作",
        "老伴天天喝药,药费花了好多钱",
        "我儿子说考不上大学就去跳河,开玩笑的",
        "以前家里断粮过,当时靠亲戚接济",
        "去年 差点喝药 现在好多了",
        "担心以后孩子没人管,想问问政策",
        "活着就要好好干,想找个工作",
        "我妈去年摔倒过,现在好了,想问问高龄津贴",
        "孩子的皮带坏了,学校说要统一买",
    ],
)
def test_negated_past_or_joking_is_not_critical(text: str) -> None:
    cues = find_cues(normalise(text))
    assert cues.level != "critical", cues


def test_guarded_phrases_are_reported() -> None:
    cues = find_cues(normalise("去年差点喝药,现在好多了"))
    assert cues.guarded == ("差点喝药",)


@pytest.mark.parametrize(
    "text", ["昨晚家里着火了,房子烧了一半", "我爸突发脑溢血住院了", "昨天下冰雹,房顶砸烂了"]
)
def test_sudden_events_are_urgent(text: str) -> None:
    cues = find_cues(normalise(text))
    assert cues.level == "urgent"
    assert cues.urgent


def test_plain_request_is_normal() -> None:
    assert find_cues(normalise("想问一下低保每年什么时候复核")).level == "normal"


def test_a_sudden_event_told_as_past_is_not_urgent() -> None:
    cues = find_cues(normalise("我家男人前年出车祸走了,我一个人带两个孩子,想申请低保"))
    assert cues.level == "normal"


@pytest.mark.parametrize(
    "text",
    [
        "家里的老鼠药我都准备好了",
        "我不活了,死给你们看",
        "孩子被锁在屋里两天了,大人一直没有回来",
        "老人摔倒在家里好几天没人发现",
        "天这么冷,万一冻死了怎么办,他就睡在桥下",
        # The carer died or vanished and the helpless one is alone now.
        "我弟弟脑瘫,一直是我爸照顾,我爸上周去世了,现在他一个人在家",
        "村里有个一级残疾的,原来由他姐姐照料,姐姐病故后现无人照料",
        "失能老人住院后家属失联,医院说要让他出院",
        "我男人在ICU,家里三个娃娃无人看护",
        # Wordings a fresh set of everyday requests showed the rules missing.
        "河水漫上来了,我奶奶腿不好困在二楼下不来",
        "老家今天遭了洪灾,我爸妈电话一直联系不上",
        "她昨天被男人殴打致手臂骨折,还在医院",
        "他扬言等她回家就打死她",
        "老汉瘫在床上好几个月了,儿女都在外地,这两天只靠邻居送饭",
        "那个娃儿才九岁,爹妈都不在,跟到奶奶,奶奶又瘫了,娃儿自己煮饭",
        "我孙子跑出去玩,四天了都没回来,到处找不到",
        "房子震裂了不敢进去,一家人在院子里搭棚子,夜里冷得很",
        "娃儿一直随外婆生活,外婆上周去世了,现在娃儿一人在家",
    ],
)
def test_more_indirect_critical_wording(text: str) -> None:
    assert find_cues(normalise(text)).level == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "我怕以后我也走了孩子没人管,政府能帮什么忙",
        "两年前丈夫喝农药去世,现在想问低保还能不能继续",
        "老母亲成天念叨活着没意思,念叨了十几年了",
        "我哥发病的时候会打人,家里没钱让他住院",
        "家里快撑不下去了,康复救助怎么申请",
        "我妈一直照顾我奶奶,去年奶奶走了,现在我妈一个人住,身体好得很",
        "我们在院子里乘凉,晚上不冷",
        "孩子去外婆家住了三天了还没回来,想问低保的事",
    ],
)
def test_worries_habits_and_old_events_are_not_critical_by_rule(text: str) -> None:
    assert find_cues(normalise(text)).level != "critical"


# A person bed-ridden for years is looked after unless the text says otherwise
# (LABELLING.md section 4: critical when left alone).
@pytest.mark.parametrize(
    "text",
    [
        "我爸瘫痪在床好几年了,现在一个人在家没人管",
        "老伴卧床多年,儿女都在外地,这几天身边没人",
        "我妈瘫痪在床五年了,我爸住院了,她一个人在家",
        "隔壁老人长期卧床,这几天没人照顾",
        "瘫在床上的老人没人送饭,已经两天了",
    ],
)
def test_a_bedridden_person_left_alone_is_critical(text: str) -> None:
    cues = find_cues(normalise(text))
    assert cues.level == "critical", cues


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("今天想正式申请一下低保，我爸瘫痪在床好几年了，家里没有收入", "瘫痪在床好几年"),
        ("我妈瘫痪在床五年了,我一直辞职在家照顾,请问有没有照护补贴", "瘫痪在床五年"),
        ("申请失能老人护理补贴,老人完全失能,卧床两年", "卧床两年"),
        ("我老公工伤截瘫,躺在床上两年了,每天都要人翻身擦洗", "躺在床上两年"),
        ("常年卧床的老母亲每月药费一千多,家里负担不起", "常年卧床"),
    ],
)
def test_a_bedridden_person_with_carers_is_not_critical(text: str, guarded: str) -> None:
    cues = find_cues(normalise(text))
    assert cues.level != "critical", cues
    # Nor may the model make it critical on its own.
    assert guarded in cues.guarded, cues


def test_a_bedridden_person_with_another_critical_cue_stays_critical() -> None:
    cues = find_cues(normalise("我爸瘫痪在床好几年了,家里断粮三天了"))
    assert cues.level == "critical" and not cues.guarded, cues
