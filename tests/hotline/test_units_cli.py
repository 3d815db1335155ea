"""`hotline units import FILE`: a jurisdiction tree from CSV, with errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from cases.db import make_sessionmaker
from hotline.cli import main
from hotline.demo.seed import demo_tree_csv
from hotline.settings import Settings
from hotline.wiring import load_tree


def test_import_then_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str], settings: Settings,
                            engine: Engine) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    tree_file = tmp_path / "county.csv"
    tree_file.write_text(demo_tree_csv(), encoding="utf-8")
    assert main(["units", "import", str(tree_file)]) == 0
    assert "47 added, 0 updated" in capsys.readouterr().out
    renamed = demo_tree_csv().replace("530329104000,河口镇,", "530329104000,河口乡,")
    tree_file.write_text(renamed, encoding="utf-8")
    assert main(["units", "import", str(tree_file)]) == 0
    assert "0 added, 1 updated" in capsys.readouterr().out
    assert load_tree(make_sessionmaker(engine)).get("530329104000").name == "河口乡"  # type: ignore[union-attr]


def test_a_bad_line_is_named_and_nothing_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    settings: Settings, engine: Engine,
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    tree_file = tmp_path / "bad.csv"
    tree_file.write_text(demo_tree_csv().replace(",township,530329000000", ",town,530329000000", 1),
                         encoding="utf-8")
    assert main(["units", "import", str(tree_file)]) == 1
    assert "第" in capsys.readouterr().err
    assert len(load_tree(make_sessionmaker(engine))) == 0
