"""The corpus files themselves obey LABELLING.md section 5, and the splits stay apart."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.categories import CATEGORY_NAMES, OUT_OF_SCOPE
from nlp.corpus import CORPUS_DIR, corpus_examples
from nlp.signals import INTENTS, URGENCY_LEVELS

FRESH_DIR = CORPUS_DIR.parent / "fresh"
FILES = sorted([*CORPUS_DIR.glob("*.jsonl"), *FRESH_DIR.glob("*.jsonl")])
FIELDS = {"text", "categories", "urgency", "in_scope", "intent", "register"}
REGISTERS = {"notes", "transcript", "app", "wechat", "wechat_trad", "referral", "letter"}
FORM_LEADS = ("zixun", "tousu")


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _problems(row: dict[str, object]) -> list[str]:
    categories = row["categories"]
    assert isinstance(categories, list)
    lead = categories[0]
    found = []
    if set(row) != FIELDS:
        found.append(f"fields {sorted(row)}")
    if not categories or any(c not in CATEGORY_NAMES for c in categories):
        found.append(f"codes {categories}")
    if len(set(categories)) != len(categories):
        found.append("a code twice")
    if any(c in FORM_LEADS for c in categories[1:]):
        found.append("zixun/tousu after the lead")
    if (OUT_OF_SCOPE in categories) != (row["in_scope"] is False) or (
        OUT_OF_SCOPE in categories and len(categories) > 1
    ):
        found.append("feijiuzhu not alone or in_scope wrong")
    intent = row["intent"]
    if intent not in INTENTS or (intent in FORM_LEADS) != (lead in FORM_LEADS) or (
        lead in FORM_LEADS and intent != lead
    ):
        found.append(f"intent {intent} with lead {lead}")
    if row["urgency"] not in URGENCY_LEVELS or row["register"] not in REGISTERS:
        found.append(f"urgency {row['urgency']} / register {row['register']}")
    return found


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_line_follows_the_guide_checks(path: Path) -> None:
    bad = [
        f"{path.name}:{number} {problem}"
        for number, row in enumerate(_rows(path), start=1)
        for problem in _problems(row)
    ]
    assert not bad, "\n".join(bad[:20])


def test_the_train_split_has_what_the_issue_asks_for() -> None:
    train = corpus_examples("train")
    leads = Counter(e.lead for e in train)
    assert all(leads[c] >= 60 for c in CATEGORY_NAMES), leads
    assert sum(len(e.categories) > 1 for e in train) >= 150
    assert sum(e.urgency != "normal" for e in train) >= 80
    assert leads[OUT_OF_SCOPE] >= 150


def _bigrams(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def test_no_evaluation_line_is_a_train_line_or_a_close_paraphrase() -> None:
    """Held-out and fresh lines share at most half their character bigrams (Jaccard) with
    any train line: short lines naming the same programme stay apart, copies do not."""
    train = [_bigrams(e.text) for e in corpus_examples("train")]
    texts = [e.text for e in corpus_examples("test")] + [
        str(row["text"]) for path in FRESH_DIR.glob("*.jsonl") for row in _rows(path)
    ]
    close = []
    for text in texts:
        grams = _bigrams(text)
        if grams and max(
            (shared := len(grams & t)) / (len(grams) + len(t) - shared) for t in train
        ) > 0.5:
            close.append(text[:40])
    assert not close, close
