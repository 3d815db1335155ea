from __future__ import annotations

import io
import random
from pathlib import Path

import jieba
import pytest

from nlp import tokens
from nlp.prefix_cache import load_prefix_dictionary
from nlp.segment import Segmenter

TEXTS = [
    "",
    "  ",
    "我妈妈七十多岁了,住院花了0万多,报销后还欠一万",
    "低保怎么申请?需要什么材料",
    "ABC abc 123 x1y2 ok!! 3.5% #tag a&b c-d e_f",
    "白石镇新民村的张大爷\r\n一个人在家\t好几天没人管",
    "〇㐀𠀀 全角ＡＢＣ 混合text中文123",
]


SMALL_DICTIONARY = "低保 100 n\n申请 80 v\n我 500 r\n住在 60 v\n石门 30 ns\n那边 40 r\n"


class _SmallTokenizer:
    """Enough of a jieba.Tokenizer for load_prefix_dictionary, with a six-word dictionary."""

    dictionary = None
    gen_pfdict = staticmethod(jieba.Tokenizer.gen_pfdict)

    def get_dict_file(self) -> io.BytesIO:
        return io.BytesIO(SMALL_DICTIONARY.encode("utf-8"))


def _small_jieba(directory: Path) -> jieba.Tokenizer:
    instance = jieba.Tokenizer()
    instance.FREQ, instance.total = load_prefix_dictionary(_SmallTokenizer(), directory)
    instance.initialized = True
    return instance


def _random_texts(count: int) -> list[str]:
    rng = random.Random(11)
    alphabet = list("的一是了我不人在有这个上们来到大为中说生年就和要出家可下过天能小多") + list(
        "低保申请救助孩子住院没有收入医疗ABCabc0129 ,.!?-_%#&+()。,、\n\t\r〇㐀"
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def test_segmenter_cuts_as_jieba_without_hmm() -> None:
    instance = tokens.tokenizer()
    segmenter = Segmenter(instance)
    for text in TEXTS + _random_texts(3000):
        assert segmenter.cut(text) == instance.lcut(text, HMM=False), text


def test_segmenter_follows_added_words(tmp_path: Path) -> None:
    instance = _small_jieba(tmp_path)
    segmenter = Segmenter(instance)
    text = "我住在石门坎子村那边"
    assert segmenter.cut(text) == instance.lcut(text, HMM=False)
    instance.add_word("石门坎子村", freq=2000)
    assert "石门坎子村" in segmenter.cut(text)
    assert segmenter.cut(text) == instance.lcut(text, HMM=False)


def test_prefix_dictionary_cache_is_jiebas(tmp_path: Path) -> None:
    reference = jieba.Tokenizer()
    reference.initialize()
    built = load_prefix_dictionary(jieba.Tokenizer(), tmp_path)
    assert len(list(tmp_path.glob("jieba-prefix-*.bin"))) == 1
    cached = load_prefix_dictionary(jieba.Tokenizer(), tmp_path)
    assert built == cached == (reference.FREQ, reference.total)


@pytest.mark.parametrize("damage", [b"", b"not a cache", None])
def test_a_damaged_cache_is_rebuilt(tmp_path: Path, damage: bytes | None) -> None:
    expected = load_prefix_dictionary(_SmallTokenizer(), tmp_path)
    assert expected == ({"低": 0, "低保": 100, "申": 0, "申请": 80, "我": 500, "住": 0,
                         "住在": 60, "石": 0, "石门": 30, "那": 0, "那边": 40}, 810)
    (path,) = tmp_path.glob("jieba-prefix-*.bin")
    path.write_bytes(path.read_bytes()[:-3] if damage is None else damage)
    assert load_prefix_dictionary(_SmallTokenizer(), tmp_path) == expected
    assert load_prefix_dictionary(_SmallTokenizer(), tmp_path) == expected
    assert len(list(tmp_path.iterdir())) == 1  # no temporary files left behind
