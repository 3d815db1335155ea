"""The statistical half of the classifier: TF-IDF features and linear models.

Jieba words (with the domain dictionary) and character 1–3-grams; linear SVMs
with sigmoid-calibrated probabilities: one per category (multi-label,
one-vs-rest), one for the lead need, one for urgency and one for the intent.
Rules live in nlp.urgency; the analyser combines both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from nlp.categories import CATEGORIES
from nlp.corpus import Example
from nlp.features import Featuriser, Matrix, Rows, WordRow
from nlp.linear import LinearHead, sigmoid
from nlp.normalise import normalise
from nlp.signals import INTENTS, URGENCY_LEVELS
from nlp.urgency import canonical

if TYPE_CHECKING:
    from scipy import sparse

# Long texts are letters and pasted documents; their opening says what they want.
MAX_MODEL_CHARS = 3000
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
CALIBRATION_FOLDS = 3
# Bumped whenever a stored TextModel could no longer be read by this code.
MODEL_FORMAT = 3
_LEAD, _URGENCY, _INTENT = "(lead)", "(urgency)", "(intent)"


class _Stack(NamedTuple):
    weights: Matrix
    bias: Matrix
    slope: Matrix
    offset: Matrix
    spans: dict[str, slice]  # head name → its columns
    # Category heads are two-class: P(True) is their calibrated column itself.
    need_columns: npt.NDArray[np.intp]  # calibrated columns of the category heads …
    need_targets: npt.NDArray[np.intp]  # … and their places in CATEGORIES


class Predictions(NamedTuple):
    lead: Matrix  # columns in the order of CATEGORIES; one lead per text
    needs: Matrix  # columns in the order of CATEGORIES; 0 for categories never trained
    urgency: Matrix  # columns in the order of URGENCY_LEVELS
    intent: Matrix | None  # columns in the order of INTENTS

__all__ = ["Matrix", "Predictions", "Rows", "Settings", "TextModel", "WordRow", "model_text"]


def model_text(normalised: str) -> str:
    return _DIGITS.sub("0", canonical(normalised[:MAX_MODEL_CHARS]))


@dataclass(frozen=True)
class Settings:
    c: float = 0.5  # LinearSVC regularisation, all models
    need_threshold: float = 0.35  # a second need is listed from this probability
    critical_threshold: float = 0.35  # the model alone raises to critical from here
    # The lead is argmax of lead probability × need probability ** this: of a line's
    # needs, the one both heads agree on (cross-validated: 82.4% → 83.1% alone; on
    # 3,673 train lines 0.5 → 2.0 took 89.0% → 89.8%, 3.0 and more fall back).
    lead_need_weight: float = 2.0
    # A question with no hardship told leads zixun once the lead head gives zixun this much
    # (cross-validated with lead_need_weight 2.0: 0.1 89.6%, 0.15–0.25 89.8%).
    question_zixun: float = 0.2


@dataclass
class TextModel:
    featuriser: Featuriser
    category_models: dict[str, LinearHead]  # categories seen in training
    lead_model: LinearHead  # which need leads: 咨询 and 投诉 lead their topic
    urgency_model: LinearHead
    intent_model: LinearHead | None
    settings: Settings = field(default_factory=Settings)
    word_names: list[str] = field(default_factory=list)
    _stack: _Stack | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def fit(cls, examples: Sequence[Example], settings: Settings | None = None) -> TextModel:
        settings = settings or Settings()
        if not examples:
            raise ValueError("没有训练样本")
        texts = [model_text(normalise(e.text)) for e in examples]
        featuriser = Featuriser.fit(texts)
        _, matrix = featuriser.transform(texts)
        category_models: dict[str, LinearHead] = {}
        for category in CATEGORIES:
            target = [category in e.categories for e in examples]
            if any(target) and not all(target):
                category_models[category] = _fit(matrix, target, settings)
        lead = _fit(matrix, [e.lead for e in examples], settings)
        urgency = _fit(matrix, [e.urgency for e in examples], settings)
        labelled = [i for i, e in enumerate(examples) if e.intent]
        intent_model = None
        if len({examples[i].intent for i in labelled}) >= 2:
            intent_model = _fit(matrix[labelled], [examples[i].intent for i in labelled], settings)
        return cls(
            featuriser, category_models, lead, urgency, intent_model, settings,
            featuriser.word_names,
        )

    def features(self, model_texts: Sequence[str]) -> tuple[list[WordRow], Rows]:
        """(word rows, all rows) for texts already passed through model_text."""
        return self.featuriser.rows(model_texts)

    def predict(self, rows: Rows) -> Predictions:
        """Every head's probabilities from one product with all their weights side by side."""
        stack = self._stacked()
        decision = rows.dot(stack.weights) + stack.bias
        calibrated = sigmoid(-(stack.slope * decision + stack.offset))
        needs = np.zeros((len(rows), len(CATEGORIES)))
        needs[:, stack.need_targets] = calibrated[:, stack.need_columns]

        def head_columns(name: str, head: LinearHead, labels: Sequence[str]) -> Matrix:
            return _columns(head, head.normalise(calibrated[:, stack.spans[name]]), labels)

        return Predictions(
            lead=head_columns(_LEAD, self.lead_model, CATEGORIES),
            needs=needs,
            urgency=head_columns(_URGENCY, self.urgency_model, URGENCY_LEVELS),
            intent=None
            if self.intent_model is None
            else head_columns(_INTENT, self.intent_model, INTENTS),
        )

    def _stacked(self) -> _Stack:
        if self._stack is None:
            heads = {_LEAD: self.lead_model, _URGENCY: self.urgency_model, **self.category_models}
            if self.intent_model is not None:
                heads[_INTENT] = self.intent_model
            spans: dict[str, slice] = {}
            start = 0
            for name, head in heads.items():
                spans[name] = slice(start, start + head.weights.shape[1])
                start += head.weights.shape[1]
            for category, head in self.category_models.items():
                if head.classes != ("False", "True"):
                    raise ValueError(f"类别模型 {category} 的类别应为 False/True：{head.classes}")
            self._stack = _Stack(
                weights=np.ascontiguousarray(np.hstack([h.weights for h in heads.values()])),
                bias=np.concatenate([h.bias for h in heads.values()]),
                slope=np.concatenate([h.slope for h in heads.values()]),
                offset=np.concatenate([h.offset for h in heads.values()]),
                spans=spans,
                need_columns=np.array(
                    [spans[c].start for c in self.category_models], dtype=np.intp
                ),
                need_targets=np.array(
                    [CATEGORIES.index(c) for c in self.category_models], dtype=np.intp
                ),
            )
        return self._stack

    def evidence(self, row: WordRow, category: str, limit: int = 3) -> tuple[str, ...]:
        """The words of one text that pushed most towards a category."""
        head = self.category_models.get(category)
        return () if head is None else self._top_words(row, head, "True", limit)

    def critical_evidence(self, row: WordRow, limit: int = 3) -> tuple[str, ...]:
        return self._top_words(row, self.urgency_model, "critical", limit)

    def _top_words(
        self, row: WordRow, head: LinearHead, label: str, limit: int
    ) -> tuple[str, ...]:
        indices, values = row
        if not len(indices):
            return ()
        pushes = head.weights_towards(label, indices) * values
        order = np.argsort(-pushes)
        found: list[str] = []
        for column in indices[order[pushes[order] > 0]].tolist():
            name = str(self.word_names[column])
            # One-character words (的, 了) carry weight but explain nothing to an agent.
            if len(name.replace(" ", "")) > 1:
                found.append(name)
                if len(found) == limit:
                    break
        return tuple(found)


def _fit(matrix: sparse.csr_matrix, labels: Sequence[object], settings: Settings) -> LinearHead:
    """A LinearSVC with sigmoid-calibrated probabilities (cross-validated)."""
    counts: dict[object, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    if len(counts) < 2:
        raise ValueError(f"训练样本只有一种标签（{next(iter(counts))}），无法训练")
    # Calibration folds need every label in every fold: a label seen once or twice
    # (an agent's first correction of its kind) is repeated rather than dropped.
    rows = list(range(len(labels)))
    for index, label in enumerate(labels):
        rows.extend([index] * max(0, CALIBRATION_FOLDS - counts[label]))
    # Imported here: a loaded model predicts without scikit-learn.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    model = CalibratedClassifierCV(
        LinearSVC(C=settings.c), cv=CALIBRATION_FOLDS, method="sigmoid", ensemble=False
    )
    return LinearHead.from_calibrated(model.fit(matrix[rows], [labels[i] for i in rows]))


def _columns(head: LinearHead, raw: Matrix, labels: Sequence[str]) -> Matrix:
    result = np.zeros((raw.shape[0], len(labels)))
    result[:, [labels.index(label) for label in head.classes]] = raw
    return result
