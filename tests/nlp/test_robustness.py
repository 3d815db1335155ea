from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.analyser import Analyser
from nlp.categories import CATEGORIES
from nlp.signals import INTENTS, URGENCY_LEVELS, Signals

DOMAIN_WORDS = ["低保", "不想活了", "白石镇", "新民村", "两万多", "13812345678", "國務(wù)院", "😭"]


def check(signals: Signals, text: str) -> None:
    assert signals.original == text
    assert all(n.category in CATEGORIES for n in signals.needs)
    assert all(0.0 <= n.probability <= 1.0 for n in signals.needs)
    assert signals.intent in INTENTS
    assert signals.urgency in URGENCY_LEVELS
    assert 0.0 <= signals.confidence <= 1.0
    assert all(p.level in ("province", "city", "county", "township", "village")
               for p in signals.places)
    signals.text.encode("utf-8")  # no lone surrogates survive normalisation


texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.lists(st.sampled_from(DOMAIN_WORDS) | st.text(max_size=5), max_size=20).map("".join),
)


@settings(max_examples=150, deadline=None)
@given(text=texts)
def test_any_unicode_gives_a_valid_result(analyser: Analyser, text: str) -> None:
    check(analyser.analyse(text), text)


def test_hundred_kilobytes(analyser: Analyser) -> None:
    text = ("家里困难想申请低保。" * 10_000)[:100_000] + "我不想活了"
    signals = analyser.analyse(text)
    check(signals, text)
    assert signals.urgency == "critical"  # rules read the whole text, not only its opening


def test_controls_emoji_and_mixed_scripts(analyser: Analyser) -> None:
    mixed = "低保 Ｄｉｂａｏ ᠮᠣᠩᠭᠣᠯ ئۇيغۇر 한국어"
    for text in ["\x00\x01\x7f", "😭😭😭", mixed, "\ud800低保", "\u202e保低"]:
        check(analyser.analyse(text), text)


def test_long_runs_of_digits_and_cue_characters(analyser: Analyser) -> None:
    # Each once took minutes: an unbounded \d+ before 天 backtracked over the run, and
    # every cue found re-read its whole sentence for past and joking words.
    runs = ["9", "12", "9天", "万", "没人管", "又打她", "救命", "两万多块", "去年", "十年", "一"]
    for unit in runs:
        text = unit * (100_000 // len(unit))
        check(analyser.analyse(text), text)


def test_a_non_text_is_a_clear_error(analyser: Analyser) -> None:
    with pytest.raises(TypeError, match="字符串"):
        analyser.analyse_many(["低保", None])  # type: ignore[list-item]
