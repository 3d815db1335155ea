"""Labelled examples: the corpus files under nlp/data/corpus and agents' corrections."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from nlp.categories import CATEGORY_NAMES
from nlp.signals import INTENTS, URGENCY_LEVELS

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"
SPLITS = ("train", "test")


class CorpusError(ValueError):
    """A corpus line that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    categories: tuple[str, ...]  # lead first
    urgency: str
    in_scope: bool
    intent: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("文本为空")
        if not self.categories:
            raise ValueError("至少需要一个救助事项")
        unknown = [c for c in self.categories if c not in CATEGORY_NAMES]
        if unknown:
            raise ValueError(f"未知的救助事项代码：{', '.join(unknown)}")
        if self.urgency not in URGENCY_LEVELS:
            raise ValueError(f"未知的紧急程度：{self.urgency!r}")
        if self.intent and self.intent not in INTENTS:
            raise ValueError(f"未知的诉求意图：{self.intent!r}")

    @property
    def lead(self) -> str:
        return self.categories[0]

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "categories": list(self.categories),
            "urgency": self.urgency,
            "in_scope": self.in_scope,
            "intent": self.intent,
        }


def example_from_dict(data: object) -> Example:
    if not isinstance(data, dict):
        raise ValueError("每行应是一个 JSON 对象")
    try:
        text, categories, urgency = data["text"], data["categories"], data["urgency"]
    except KeyError as exc:
        raise ValueError(f"缺少字段 {exc.args[0]}") from None
    if not isinstance(text, str) or not isinstance(urgency, str):
        raise ValueError("text 和 urgency 应为字符串")
    if isinstance(categories, str):
        categories = [categories]
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValueError("categories 应为字符串列表")
    in_scope = data.get("in_scope", "feijiuzhu" not in categories[:1])
    intent = data.get("intent") or ""
    if not isinstance(in_scope, bool) or not isinstance(intent, str):
        raise ValueError("in_scope 应为布尔值，intent 应为字符串")
    return Example(text, tuple(dict.fromkeys(categories)), urgency, in_scope, intent)


def load_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                examples.append(example_from_dict(json.loads(line)))
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                raise CorpusError(f"{path.name} 第{number}行：{exc}") from None
    return examples


def corpus_examples(split: str, corpus_dir: Path = CORPUS_DIR) -> list[Example]:
    if split not in SPLITS:
        raise ValueError(f"split 应为 train 或 test，而不是 {split!r}")
    examples: list[Example] = []
    for path in sorted(corpus_dir.glob(f"*.{split}.jsonl")):
        examples.extend(load_examples(path))
    return examples
