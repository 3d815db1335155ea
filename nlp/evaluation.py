"""Figures of an analyser on labelled examples (the held-out split or a file)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.analyser import Analyser
from nlp.categories import CATEGORIES
from nlp.corpus import Example
from nlp.model import Settings, TextModel
from nlp.signals import Signals

NO_NEED = "(无)"


@dataclass
class EvalReport:
    examples: int
    model_version: str
    lead_accuracy: float
    macro_f1: float
    micro_f1: float  # multi-label, over (example, category) pairs
    out_of_scope_precision: float
    out_of_scope_recall: float
    out_of_scope_f1: float
    critical_precision: float
    critical_recall: float
    confusion: dict[str, dict[str, int]]  # true lead → predicted lead → count
    urgency_confusion: dict[str, dict[str, int]]
    missed_critical: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def as_text(self) -> str:
        lines = [
            f"模型版本 {self.model_version}，样本 {self.examples} 条",
            f"主类准确率 {self.lead_accuracy:.1%}",
            f"主类宏平均 F1 {self.macro_f1:.3f}",
            f"多标签微平均 F1 {self.micro_f1:.3f}",
            f"非救助诉求 精确率 {self.out_of_scope_precision:.1%} 召回率 "
            f"{self.out_of_scope_recall:.1%} F1 {self.out_of_scope_f1:.3f}",
            f"特急 召回率 {self.critical_recall:.1%} 精确率 {self.critical_precision:.1%}",
        ]
        for text in self.missed_critical:
            lines.append(f"  漏判特急：{text[:60]}")
        lines.append("主类混淆矩阵（行：标注，列：预测）")
        lines.extend(_matrix_lines(self.confusion))
        lines.append("紧急程度混淆矩阵（行：标注，列：预测）")
        lines.extend(_matrix_lines(self.urgency_confusion))
        return "\n".join(lines)


def evaluate(analyser: Analyser, examples: Sequence[Example]) -> EvalReport:
    if not examples:
        raise ValueError("没有可评估的样本")
    return report(examples, analyser.analyse_many([e.text for e in examples]), analyser.version)


def cross_validate(
    examples: Sequence[Example], folds: int = 5, seed: int = 0, settings: Settings | None = None
) -> EvalReport:
    """Figures of models trained on all but one fold, pooled over the folds.

    The folds are a seeded shuffle of the examples; each example is judged once, by a
    model that never saw it. Needs scikit-learn (it trains).
    """
    if folds < 2 or len(examples) < folds:
        raise ValueError(f"交叉验证需要至少 2 折且样本数不少于折数（{len(examples)} 条，{folds} 折）")
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    signals: dict[int, Signals] = {}
    for fold in range(folds):
        held = set(order[fold::folds])
        model = TextModel.fit([e for i, e in enumerate(examples) if i not in held], settings)
        analyser = Analyser(model, f"cv{fold + 1}")
        judged = sorted(held)
        for index, signal in zip(
            judged, analyser.analyse_many([examples[i].text for i in judged]), strict=True
        ):
            signals[index] = signal
    return report(examples, [signals[i] for i in range(len(examples))], f"{folds} 折交叉验证")


def report(examples: Sequence[Example], signals: Sequence[Signals], version: str) -> EvalReport:
    """Figures of signals against the labels of the same examples, in the same order."""
    leads = [s.categories[0] if s.needs else NO_NEED for s in signals]
    confusion: dict[str, Counter[str]] = {}
    urgency: dict[str, Counter[str]] = {}
    true_pos = false_pos = false_neg = 0
    for example, signal, lead in zip(examples, signals, leads, strict=True):
        confusion.setdefault(example.lead, Counter())[lead] += 1
        urgency.setdefault(example.urgency, Counter())[signal.urgency] += 1
        predicted, gold = set(signal.categories), set(example.categories)
        true_pos += len(predicted & gold)
        false_pos += len(predicted - gold)
        false_neg += len(gold - predicted)
    out_p, out_r = _precision_recall(
        [not e.in_scope for e in examples], [not s.in_scope for s in signals]
    )
    crit_p, crit_r = _precision_recall(
        [e.urgency == "critical" for e in examples], [s.urgency == "critical" for s in signals]
    )
    return EvalReport(
        examples=len(examples),
        model_version=version,
        lead_accuracy=sum(e.lead == lead for e, lead in zip(examples, leads, strict=True))
        / len(examples),
        macro_f1=_macro_f1([e.lead for e in examples], leads),
        micro_f1=_f1(true_pos, false_pos, false_neg),
        out_of_scope_precision=out_p,
        out_of_scope_recall=out_r,
        out_of_scope_f1=_harmonic(out_p, out_r),
        critical_precision=crit_p,
        critical_recall=crit_r,
        confusion={k: dict(v) for k, v in sorted(confusion.items())},
        urgency_confusion={k: dict(v) for k, v in sorted(urgency.items())},
        missed_critical=[
            e.text
            for e, s in zip(examples, signals, strict=True)
            if e.urgency == "critical" and s.urgency != "critical"
        ],
    )


def _precision_recall(gold: list[bool], predicted: list[bool]) -> tuple[float, float]:
    """Precision and recall of the positive class; 1.0 where nothing could be wrong."""
    hits = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = hits / sum(predicted) if any(predicted) else 1.0
    recall = hits / sum(gold) if any(gold) else 1.0
    return precision, recall


def _harmonic(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _f1(true_pos: int, false_pos: int, false_neg: int) -> float:
    denominator = 2 * true_pos + false_pos + false_neg
    return 2 * true_pos / denominator if denominator else 1.0


def _macro_f1(gold: list[str], predicted: list[str]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        true_pos = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        false_pos = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        false_neg = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        scores.append(_f1(true_pos, false_pos, false_neg))
    return sum(scores) / len(scores)


def _matrix_lines(matrix: dict[str, dict[str, int]]) -> list[str]:
    columns = sorted({c for row in matrix.values() for c in row} | set(matrix), key=_order)
    width = max(len(c) for c in columns) + 1
    lines = [" " * width + "".join(c.rjust(width) for c in columns)]
    for label in sorted(matrix, key=_order):
        row = matrix[label]
        cells = "".join(str(row.get(c, "")).rjust(width) for c in columns)
        lines.append(label.ljust(width) + cells)
    return lines


def _order(label: str) -> tuple[int, str]:
    known = (*CATEGORIES, "critical", "urgent", "normal")
    return (known.index(label), label) if label in known else (len(known), label)



