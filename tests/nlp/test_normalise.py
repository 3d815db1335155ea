from __future__ import annotations

from pathlib import Path

from nlp.normalise import normalise

SEEDS = Path("/work/shared/seeds")


def test_traditional_becomes_simplified() -> None:
    assert normalise("我媽媽七十多歲了，住院花了兩萬多") == "我妈妈七十多岁了,住院花了两万多"


def test_pinyin_debris_is_stripped() -> None:
    assert normalise("國務(wù)院辦公廳印發(fā)") == "国务院办公厅印发"


def test_parentheses_that_are_not_pinyin_stay() -> None:
    assert normalise("养老机构(敬老院)和(app)") == "养老机构(敬老院)和(app)"


def test_full_width_becomes_half_width() -> None:
    assert normalise("ＡＢＣ１３８１２３４５６７８　（急）") == "ABC13812345678 (急)"


def test_controls_and_zero_width_removed_whitespace_collapsed() -> None:
    assert normalise("  低\u200b保\x00\x07 \n\t 申请\ufeff ") == "低保 申请"


def test_simplified_text_unchanged() -> None:
    text = "孩子白血病住院,报销后欠二十万,怎么申请低保"
    assert normalise(text) == text


def test_seed_document_has_no_debris_left() -> None:
    path = next(SEEDS.glob("004_*.txt"), None)
    if path is None:
        return
    text = normalise(path.read_text(encoding="utf-8"))
    assert "(wù)" not in text and "國" not in text
    assert "国务院办公厅" in text


def test_zhe_after_a_verb_becomes_simplified_but_famous_stays() -> None:
    assert normalise("活著沒意思,帶著孩子,著名的醫院") == "活着没意思,带着孩子,著名的医院"
