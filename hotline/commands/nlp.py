"""`hotline train`, `hotline eval FILE.jsonl` and `hotline eval --cross-validate`: the
classifier's model versions and figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hotline.settings import Settings
from nlp.analyser import Analyser
from nlp.corpus import CorpusError, corpus_examples, load_examples
from nlp.evaluation import cross_validate, evaluate
from nlp.training import ModelMissing, train


def register(subparsers: Any) -> None:
    trainer = subparsers.add_parser(
        "train", help="用语料训练分类模型，保存为新版本，并报告留出集上的指标"
    )
    trainer.set_defaults(func=_train)
    evaluator = subparsers.add_parser(
        "eval", help="用当前模型评估一个标注文件（JSONL），或在训练集上做交叉验证"
    )
    evaluator.add_argument(
        "file", type=Path, nargs="?", help='JSONL，每行 {"text","categories","urgency","in_scope"}'
    )
    evaluator.add_argument(
        "--cross-validate", type=int, metavar="K", nargs="?", const=5, default=None,
        help="不用当前模型：在训练集上做 K 折交叉验证（默认 5 折，约一分钟）",
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
    if args.cross_validate is not None:
        if args.file is not None:
            print("交叉验证使用训练集，不能同时指定文件", file=sys.stderr)
            return 2
        try:
            print(cross_validate(corpus_examples("train"), args.cross_validate).as_text())
        except (CorpusError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        return 0
    if args.file is None:
        print("请指定要评估的文件，或用 --cross-validate", file=sys.stderr)
        return 2
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
