from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from nlp.analyser import Analyser
from nlp.corpus import Example
from nlp.training import (
    CURRENT_FILE,
    META_FILE,
    ModelMissing,
    current_version,
    ensure_model,
    train,
)


def test_version_names_time_and_examples(model_dir: Path) -> None:
    version = current_version(model_dir)
    assert version is not None
    stamp, _, digest = version.partition("-")
    dt.datetime.strptime(stamp, "%Y%m%d%H%M")
    assert len(digest) == 8 and int(digest, 16) >= 0
    assert (model_dir / CURRENT_FILE).read_text().strip() == version
    meta = json.loads((model_dir / version / META_FILE).read_text(encoding="utf-8"))
    assert meta["version"] == version and meta["examples"] > 0


def test_ensure_model_keeps_the_present_version(model_dir: Path) -> None:
    before = sorted(p.name for p in model_dir.iterdir())
    assert ensure_model(model_dir) == current_version(model_dir)
    assert sorted(p.name for p in model_dir.iterdir()) == before


def test_loading_an_empty_directory_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="hotline train"):
        Analyser.load(tmp_path)


def test_newest_version_found_without_pointer(model_dir: Path, tmp_path: Path) -> None:
    version = current_version(model_dir)
    assert version is not None
    copy = tmp_path / "copy"
    (copy / version).mkdir(parents=True)
    for item in (model_dir / version).iterdir():
        (copy / version / item.name).write_bytes(item.read_bytes())
    assert current_version(copy) == version
    assert Analyser.load(copy).version == version


@pytest.mark.slow
def test_extra_examples_are_learned_and_make_a_new_version(
    model_dir: Path, tmp_path: Path
) -> None:
    # An agent's corrections teach a word the corpus never uses for the category.
    corrections = [
        Example(f"老刘家的瓜瓢子{n}号又来了,问能不能办", ("canji",), "normal", True, "self")
        for n in range(12)
    ]
    later = dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC)
    version = train(tmp_path, extra=corrections, now=later)
    assert version.startswith("203001020304-")
    assert version.split("-")[1] != (current_version(model_dir) or "").split("-")[1]
    meta = json.loads((tmp_path / version / META_FILE).read_text(encoding="utf-8"))
    assert meta["extra_examples"] == 12
    signals = Analyser.load(tmp_path).analyse("老刘家的瓜瓢子又来了,问能不能办")
    assert signals.categories[0] == "canji"


def test_a_version_of_an_older_format_is_not_used(model_dir: Path, tmp_path: Path) -> None:
    version = current_version(model_dir)
    assert version is not None
    (tmp_path / version).mkdir()
    for item in (model_dir / version).iterdir():
        (tmp_path / version / item.name).write_bytes(item.read_bytes())
    meta_path = tmp_path / version / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format"] = 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / CURRENT_FILE).write_text(version)
    assert current_version(tmp_path) is None
    with pytest.raises(ModelMissing, match="格式已过时"):
        Analyser.load(tmp_path)
