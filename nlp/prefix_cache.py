"""jieba's prefix dictionary (word → frequency, prefixes → 0) stored for a fast start.

jieba builds it from its dictionary file once and caches it with marshal in the
temp dir; reading that back creates half a million strings one by one (0.6–0.9 s).
Here the words are one UTF-8 block split on newlines and the frequencies one
int64 array: the same dictionary in about a quarter of the time. The file is
named after jieba's version and its dictionary file (size and time), so another
jieba or dictionary builds a new one; a cache that cannot be read or written is
rebuilt or skipped, never an error.
"""

from __future__ import annotations

import array
import hashlib
import os
import struct
import tempfile
from pathlib import Path
from typing import Any

_MAGIC = b"hotline-jieba-prefix-1\n"
_HEADER = struct.Struct("<qq")  # total, byte length of the word block


def load_prefix_dictionary(tokenizer: Any, directory: Path | None) -> tuple[dict[str, int], int]:
    """(FREQ, total) for a fresh jieba.Tokenizer of the default dictionary."""
    path = (directory or Path(tempfile.gettempdir())) / f"jieba-prefix-{_key(tokenizer)}.bin"
    loaded = _read(path)
    if loaded is not None:
        return loaded
    with tokenizer.get_dict_file() as source:
        frequencies, total = tokenizer.gen_pfdict(source)
    _write(path, frequencies, total)
    return frequencies, total


def _key(tokenizer: Any) -> str:
    import jieba

    source = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    stat = source.stat() if tokenizer.dictionary == jieba.DEFAULT_DICT else None
    described = f"{jieba.__version__}|{tokenizer.dictionary}|{source}|"
    described += f"{stat.st_size}|{stat.st_mtime_ns}" if stat else "custom"
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]


def _read(path: Path) -> tuple[dict[str, int], int] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    start = len(_MAGIC) + _HEADER.size
    if not raw.startswith(_MAGIC) or len(raw) < start:
        return None
    total, size = _HEADER.unpack_from(raw, len(_MAGIC))
    frequencies = array.array("q")
    try:
        frequencies.frombytes(raw[start + size :])
        words = raw[start : start + size].decode("utf-8").split("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    if len(words) != len(frequencies):
        return None
    return dict(zip(words, frequencies.tolist(), strict=True)), int(total)


def _write(path: Path, frequencies: dict[str, int], total: int) -> None:
    if any("\n" in word for word in frequencies):
        return
    block = "\n".join(frequencies).encode("utf-8")
    counts = array.array("q", frequencies.values())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".jieba-prefix-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + _HEADER.pack(total, len(block)) + block + counts.tobytes())
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
