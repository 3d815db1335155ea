"""Text as callers and documents write it → one clean simplified form.

Traditional → simplified with OpenCC's t2s tables, full-width → half-width,
control and zero-width characters removed, whitespace collapsed, and the
"(pinyin)" debris of bad converters (國務(wù)院) stripped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import opencc
from opencc import OpenCC

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_DEBRIS = re.compile(
    rf"(?<=[\u3400-\u4dbf\u4e00-\u9fff])\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)"
)
# Control characters, zero-width/format characters, lone surrogates, tag characters.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_SPACES = re.compile(r"\s+")
# t2s keeps 著 (it is also simplified, as in 著名); after a verb it is 着 (活著, 帶著).
_ZHE = re.compile("(?<![显土卓昭编论原名专巨])著(?![名作称述者])")
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


@cache
def _traditional_chars() -> frozenset[str]:
    """Characters whose presence means t2s may change the text.

    Converting is slow (pure Python); most texts are already simplified and skip it.
    """
    folder = Path(opencc.__file__).parent / "dictionary"
    chars: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _, targets = line.partition("\t")
            target = targets.split(" ")[0]
            if len(key) == len(target):
                chars.update(k for k, t in zip(key, target, strict=True) if k != t)
            else:
                chars.update(key)
    chars.discard("么")  # only changes inside 么麼, whose 麼 already triggers
    return frozenset(chars)


def to_simplified(text: str) -> str:
    if _traditional_chars().isdisjoint(text):
        return _ZHE.sub("着", text) if "著" in text else text
    converted: str = _converter().convert(text)
    return _ZHE.sub("着", converted)


def normalise(text: str) -> str:
    """The normalised form of a text; the caller keeps the original."""
    text = text.translate(_FULL_WIDTH)
    text = _INVISIBLE.sub("", text)
    text = _PINYIN_DEBRIS.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return to_simplified(text)
