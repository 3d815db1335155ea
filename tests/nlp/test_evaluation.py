from __future__ import annotations

from nlp.analyser import Analyser
from nlp.corpus import Example
from nlp.evaluation import evaluate

EXAMPLES = [
    Example("我想申请低保,家里没有收入,两个孩子上学", ("dibao",), "normal", True, "self"),
    Example("小区路灯坏了一个月没人修", ("feijiuzhu",), "normal", False),
    Example("我真的不想活了,欠了一屁股债", ("linshi",), "critical", True, "self"),
    Example("孩子白血病住院欠了二十万,老大交不起学费", ("yiliao", "jiaoyu"), "urgent", True),
]


def test_report_figures_are_consistent(analyser: Analyser) -> None:
    report = evaluate(analyser, EXAMPLES)
    signals = analyser.analyse_many([e.text for e in EXAMPLES])
    pairs = zip(signals, EXAMPLES, strict=True)
    right = sum(s.categories[:1] == e.categories[:1] for s, e in pairs)
    assert report.examples == 4
    assert report.lead_accuracy == right / 4
    assert report.critical_recall == 1.0
    assert sum(sum(row.values()) for row in report.confusion.values()) == 4
    assert report.confusion["dibao"] == {signals[0].categories[0]: 1}
    assert 0.0 <= report.micro_f1 <= 1.0 and 0.0 <= report.macro_f1 <= 1.0


def test_report_text_and_dict(analyser: Analyser) -> None:
    report = evaluate(analyser, EXAMPLES)
    text = report.as_text()
    for words in ("主类准确率", "多标签微平均 F1", "非救助诉求", "特急 召回率", "混淆矩阵"):
        assert words in text
    data = report.as_dict()
    assert data["examples"] == 4 and data["model_version"] == analyser.version


def test_cross_validation_judges_every_example_once() -> None:
    import pytest

    from nlp.evaluation import cross_validate

    words = ["蜻蜓", "蝴蝶", "蚂蚁", "知了", "蜜蜂", "蚂蚱"]
    urgency = ["urgent" if n % 2 else "normal" for n in range(len(words))]
    lines = [
        Example(f"{w}家里没有收入想申请低保", ("dibao",), urgency[n], True, "self")
        for n, w in enumerate(words)
    ] + [
        Example(f"{w}腿断了想申请轮椅", ("canji",), urgency[n], True, "self")
        for n, w in enumerate(words)
    ]
    report = cross_validate(lines, folds=3)
    assert report.examples == len(lines)
    assert sum(sum(row.values()) for row in report.confusion.values()) == len(lines)
    assert report.model_version == "3 折交叉验证"
    with pytest.raises(ValueError, match="交叉验证"):
        cross_validate(lines[:2], folds=3)
