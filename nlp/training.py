"""Training and storing model versions under the data directory.

Layout: <model_dir>/<version>/model.pickle and meta.json, and
<model_dir>/CURRENT naming the version in use. A version is
YYYYmmddHHMM-<8 hex of the training examples' hash>, so the same examples
trained twice in a minute give the same version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from nlp.corpus import Example, corpus_examples
from nlp.model import MODEL_FORMAT, Settings, TextModel

MODEL_FILE = "model.pickle"
META_FILE = "meta.json"
CURRENT_FILE = "CURRENT"


class ModelMissing(RuntimeError):
    """No trained model in the model directory."""


def examples_hash(examples: Sequence[Example]) -> str:
    lines = sorted(json.dumps(e.as_dict(), ensure_ascii=False, sort_keys=True) for e in examples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def train(
    model_dir: Path,
    extra: Sequence[Example] = (),
    settings: Settings | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Train on the corpus train split plus `extra`; store and select a new version."""
    examples = [*corpus_examples("train"), *extra]
    model = TextModel.fit(examples, settings)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H%M")
    version = f"{stamp}-{examples_hash(examples)[:8]}"
    model_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".training-", dir=model_dir))
    try:
        with (staging / MODEL_FILE).open("wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {
            "version": version,
            "format": MODEL_FORMAT,
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "examples": len(examples),
            "extra_examples": len(extra),
            "categories": sorted(model.category_models),
        }
        (staging / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        target = model_dir / version
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    _write_current(model_dir, version)
    return version


def current_version(model_dir: Path) -> str | None:
    """The version CURRENT names, else the newest usable version directory."""
    pointer = model_dir / CURRENT_FILE
    if pointer.is_file():
        named = pointer.read_text(encoding="utf-8").strip()
        if named and _usable(model_dir / named):
            return named
    versions = sorted(p.name for p in model_dir.glob("*") if _usable(p))
    return versions[-1] if versions else None


def ensure_model(model_dir: Path) -> str:
    """The version present, training one first if there is none (or only outdated ones)."""
    return current_version(model_dir) or train(model_dir)


def _usable(version_dir: Path) -> bool:
    try:
        meta = json.loads((version_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (version_dir / MODEL_FILE).is_file() and meta.get("format") == MODEL_FORMAT


def load_model(model_dir: Path) -> tuple[str, TextModel]:
    version = current_version(model_dir)
    if version is None:
        raise ModelMissing(
            f"{model_dir} 中没有可用的模型（未训练或格式已过时），请先运行 hotline train"
        )
    # The model directory is the application's own data directory, written by train().
    with (model_dir / version / MODEL_FILE).open("rb") as handle:
        model = pickle.load(handle)
    if not isinstance(model, TextModel):
        raise ModelMissing(f"{model_dir / version} 中的模型文件无法识别，请重新运行 hotline train")
    return version, model


def _write_current(model_dir: Path, version: str) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".current-", dir=model_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(version + "\n")
    os.replace(temporary, model_dir / CURRENT_FILE)
