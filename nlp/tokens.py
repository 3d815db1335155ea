"""Words of a text: jieba with the domain dictionary and the jurisdiction's place names.

One tokenizer per process; place names given by any analyser are added to it,
which only ever keeps a place name in one piece. jieba's prefix dictionary
(half a million words) comes from nlp.prefix_cache: its own marshal cache
takes most of a second to read, ours a quarter of that.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from nlp.prefix_cache import load_prefix_dictionary
from nlp.segment import Segmenter

if TYPE_CHECKING:
    import jieba

DOMAIN_DICTIONARY = Path(__file__).parent / "data" / "domain_dict.txt"

_CONTENT = re.compile(r"[^\W_]")
_lock = threading.Lock()
_added: set[str] = set()
_cache_dir: list[Path] = []


def use_cache_dir(directory: Path) -> None:
    """Keep the prefix dictionary cache here (the model directory) rather than in the temp dir.

    Only the first tokenizer of the process reads it; later calls change nothing.
    """
    _cache_dir[:] = [directory]


def _import_jieba() -> ModuleType:
    """jieba, imported without pkg_resources.

    jieba asks pkg_resources (deprecated, a tenth of a second to import) only for
    the paths of its own data files; when the import fails it opens them by path.
    """
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources") is None:
            del sys.modules["pkg_resources"]
    module: ModuleType = jieba
    return module


@cache
def tokenizer() -> jieba.Tokenizer:
    module = _import_jieba()
    module.setLogLevel(logging.WARNING)
    instance = module.Tokenizer()
    instance.FREQ, instance.total = load_prefix_dictionary(
        instance, _cache_dir[0] if _cache_dir else None
    )
    instance.initialized = True
    # jieba leaves a file it opened itself unclosed; hand it one we close.
    with DOMAIN_DICTIONARY.open("rb") as dictionary:
        instance.load_userdict(dictionary)
    return instance


@cache
def _segmenter() -> Segmenter:
    return Segmenter(tokenizer())


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
    n-grams beside these words already cover what it would have joined. The cut
    is jieba's (`lcut(text, HMM=False)`), run by nlp.segment.
    """
    return [w for w in _segmenter().cut(text) if _CONTENT.search(w)]
