"""`hotline train` and `hotline eval FILE.jsonl`: the classifier's model versions and figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hotline.settings import Settings
from nlp.analyser import Analyser
from nlp.corpus import CorpusError, corpus_examples, load_examples
from nlp.evaluation import evaluate
from nlp.training import ModelMissing, train


def register(subparsers: Any) -> None:
    trainer = subparsers.add_parser(
        "train", help="用语料训练分类模型，保存为新版本，并报告留出集上的指标"
    )
    trainer.set_defaults(func=_train)
    evaluator = subparsers.add_parser("eval", help="用当前模型评估一个标注文件（JSONL）")
    evaluator.add_argument(
        "file", type=Path, help='JSONL，每行 {"text","categories","urgency","in_scope"}'
    )
    evaluator.set_defaults(func=_eval)


def _train(args: argparse.Namespace) -> int:
    model_dir = Settings.from_env().model_dir
    try:
        version = train(model_dir)
        held_out = corpus_examples("test")
    except CorpusError as exc:
        print(f"语料有误：{exc}", file=sys.stderr)
        return 1
    print(f"模型已训练：{version}（{model_dir / version}）")
    if held_out:
        print(evaluate(Analyser.load(model_dir), held_out).as_text())
    else:
        print("没有留出集（nlp/data/corpus/*.test.jsonl），未评估")
    return 0


def _eval(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        examples = load_examples(path)
        analyser = Analyser.load(Settings.from_env().model_dir)
    except FileNotFoundError:
        print(f"找不到文件：{path}", file=sys.stderr)
        return 1
    except (CorpusError, ModelMissing) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if not examples:
        print(f"{path} 中没有样本", file=sys.stderr)
        return 1
    print(evaluate(analyser, examples).as_text())
    return 0
