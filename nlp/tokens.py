"""Words of a text: jieba with the domain dictionary and the jurisdiction's place names.

One tokenizer per process (building jieba's prefix dictionary costs most of a
second); place names given by any analyser are added to it, which only ever
keeps a place name in one piece.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

DOMAIN_DICTIONARY = Path(__file__).parent / "data" / "domain_dict.txt"

_CONTENT = re.compile(r"[^\W_]")
_lock = threading.Lock()
_added: set[str] = set()
_cache_dir: list[Path] = []


def use_cache_dir(directory: Path) -> None:
    """Keep jieba's own cache of its prefix dictionary here (the model directory).

    Only the first tokenizer of the process reads it; later calls change nothing.
    """
    _cache_dir[:] = [directory]


@cache
def tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    instance = jieba.Tokenizer()
    if _cache_dir:
        instance.tmp_dir = str(_cache_dir[0])
    instance.initialize()
    # jieba leaves a file it opened itself unclosed; hand it one we close.
    with DOMAIN_DICTIONARY.open("rb") as dictionary:
        instance.load_userdict(dictionary)
    return instance


def add_words(words: Iterable[str]) -> None:
    """Keep these words (place names) whole when cutting."""
    instance = tokenizer()
    with _lock:
        for word in words:
            if word and word not in _added:
                instance.add_word(word, freq=2000)
                _added.add(word)


def words(text: str) -> list[str]:
    """The words of a normalised text, without spaces and punctuation-only pieces.

    Without jieba's HMM for unknown words: a third faster, and the character
    n-grams beside these words already cover what it would have joined.
    """
    return [w for w in tokenizer().lcut(text, HMM=False) if _CONTENT.search(w)]
