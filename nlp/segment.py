"""jieba's exact cut without HMM (`Tokenizer.lcut(text, HMM=False)`), in one tight loop.

jieba builds a dict of candidate ends for every position, then takes a max over
a generator calling log() for every candidate: most of the classifier's time.
This walks the same prefix dictionary once per position, keeps the best route in
lists and remembers each word's log probability (they only change when a word is
added, which changes the total). Same dictionary, same arithmetic, same ties
(the longer word wins): the same words as jieba (tested against it).
"""

from __future__ import annotations

import re
from math import log
from typing import Protocol

# jieba's own patterns (jieba.re_han_default, re_skip_default, re_eng).
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]")
# Marks a prefix that is no word; word costs are log probabilities, never positive.
_PREFIX = 1.0


class PrefixDictionary(Protocol):
    FREQ: dict[str, int]
    total: int


class Segmenter:
    def __init__(self, dictionary: PrefixDictionary) -> None:
        self._dictionary = dictionary
        self._costs: dict[str, float] = {}
        self._total = -1
        self._log_total = 0.0

    def cut(self, text: str) -> list[str]:
        pieces: list[str] = []
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.match(block):
                self._cut_block(block, pieces)
                continue
            for part in _SKIP.split(block):
                if _SKIP.match(part):
                    pieces.append(part)
                else:
                    pieces.extend(part)
        return pieces

    def _cut_block(self, block: str, pieces: list[str]) -> None:
        frequencies = self._dictionary.FREQ
        if self._dictionary.total != self._total:
            self._costs.clear()
            self._total = self._dictionary.total
            self._log_total = log(self._total)
        # fragment → log(frequency) - log(total) for a word, _PREFIX for a prefix only.
        costs, log_total = self._costs, self._log_total
        size = len(block)
        scores = [0.0] * (size + 1)
        ends = [0] * size
        for start in range(size - 1, -1, -1):
            best_score, best_end = 0.0, -1
            end, fragment = start, block[start]
            while True:
                cost = costs.get(fragment)
                if cost is None:
                    frequency = frequencies.get(fragment)
                    if frequency is None:
                        break
                    cost = log(frequency) - log_total if frequency else _PREFIX
                    costs[fragment] = cost
                if cost != _PREFIX:
                    score = cost + scores[end + 1]
                    if best_end < 0 or score >= best_score:
                        best_score, best_end = score, end
                end += 1
                if end >= size:
                    break
                fragment = block[start : end + 1]
            if best_end < 0:  # no word starts here: the character alone, frequency 1
                best_score, best_end = log(1) - log_total + scores[start + 1], start
            scores[start], ends[start] = best_score, best_end
        position, letters = 0, ""
        while position < size:
            word = block[position : ends[position] + 1]
            position = ends[position] + 1
            if len(word) == 1 and _ENG.match(word):
                letters += word
                continue
            if letters:
                pieces.append(letters)
                letters = ""
            pieces.append(word)
        if letters:
            pieces.append(letters)
