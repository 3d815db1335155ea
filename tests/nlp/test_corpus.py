from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.corpus import CorpusError, Example, corpus_examples, load_examples


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_loads_examples_lead_first(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.train.jsonl",
        line(text="孩子白血病住院", categories=["yiliao", "linshi"], urgency="normal",
             in_scope=True, intent="self", register="notes"),
        "",
        line(text="路灯坏了", categories=["feijiuzhu"], urgency="normal", in_scope=False),
    )
    examples = load_examples(path)
    assert examples[0] == Example("孩子白血病住院", ("yiliao", "linshi"), "normal", True, "self")
    assert examples[0].lead == "yiliao"
    assert examples[1].in_scope is False and examples[1].intent == ""


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("{not json", "第2行"),
        (line(text="x", categories=["nosuch"], urgency="normal", in_scope=True), "nosuch"),
        (line(text="x", categories=["dibao"], urgency="soon", in_scope=True), "紧急程度"),
        (line(categories=["dibao"], urgency="normal", in_scope=True), "text"),
        (line(text="  ", categories=["dibao"], urgency="normal", in_scope=True), "文本为空"),
    ],
)
def test_bad_line_is_named(tmp_path: Path, bad: str, words: str) -> None:
    good = line(text="低保", categories=["dibao"], urgency="normal", in_scope=True)
    path = write(tmp_path / "bad.train.jsonl", good, bad)
    with pytest.raises(CorpusError) as caught:
        load_examples(path)
    assert "bad.train.jsonl 第2行" in str(caught.value)
    assert words in str(caught.value)


def test_corpus_splits_read_every_file_of_the_split(tmp_path: Path) -> None:
    example = line(text="低保", categories=["dibao"], urgency="normal", in_scope=True)
    write(tmp_path / "a.train.jsonl", example)
    write(tmp_path / "b.train.jsonl", example, example)
    write(tmp_path / "a.test.jsonl", example)
    assert len(corpus_examples("train", tmp_path)) == 3
    assert len(corpus_examples("test", tmp_path)) == 1
    with pytest.raises(ValueError):
        corpus_examples("dev", tmp_path)
