from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.cli import main
from nlp.training import current_version


@pytest.fixture
def data_dir(tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "model").symlink_to(model_dir, target_is_directory=True)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    return tmp_path


def test_eval_prints_the_report(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.jsonl"
    rows = [
        {"text": "想申请低保,家里没有收入", "categories": ["dibao"], "urgency": "normal",
         "in_scope": True},
        {"text": "楼下天天有人打麻将太吵了", "categories": ["feijiuzhu"], "urgency": "normal",
         "in_scope": False},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "样本 2 条" in out and "主类准确率" in out and "特急 召回率" in out


def test_eval_names_the_bad_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    good = '{"text": "低保", "categories": ["dibao"], "urgency": "normal"}'
    path.write_text(f"{good}\n[1]\n", encoding="utf-8")
    assert main(["eval", str(path)]) == 1
    assert "bad.jsonl 第2行" in capsys.readouterr().err


def test_eval_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    path = tmp_path / "one.jsonl"
    path.write_text('{"text": "低保", "categories": ["dibao"], "urgency": "normal"}\n', "utf-8")
    assert main(["eval", str(path)]) == 1
    assert "hotline train" in capsys.readouterr().err


@pytest.mark.slow
def test_train_prints_version_and_held_out_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    assert main(["train"]) == 0
    version = current_version(tmp_path / "model")
    assert version is not None
    out = capsys.readouterr().out
    assert f"模型已训练：{version}" in out


def test_eval_needs_a_file_or_cross_validation_not_both(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval"]) == 2
    assert "--cross-validate" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "x.jsonl"), "--cross-validate"]) == 2
    assert "不能同时" in capsys.readouterr().err
