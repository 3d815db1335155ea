"""The statistical half of the classifier: TF-IDF features and linear models.

Jieba words (with the domain dictionary) and character 1–3-grams; linear SVMs
with sigmoid-calibrated probabilities: one per category (multi-label,
one-vs-rest), one for urgency, one for the intent, and two that together read
the lead: the *topic* (the need a text is about, or out of scope) and the
*form* (a policy question, a complaint, or a need to act on). A policy question
and a request for help about 低保 share the topic; only the form tells them
apart, and each head learns from every line instead of a sixteen-way split.
Rules live in nlp.urgency; the analyser combines both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from nlp.categories import CATEGORIES, OUT_OF_SCOPE
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
MODEL_FORMAT = 4
_OUT = CATEGORIES.index(OUT_OF_SCOPE)
_ZIXUN, _TOUSU = CATEGORIES.index("zixun"), CATEGORIES.index("tousu")
_TOPIC, _FORM, _URGENCY, _INTENT = "(topic)", "(form)", "(urgency)", "(intent)"
# The form of an in-scope request: a question about a rule, a complaint, or a need to act on.
FORMS = ("zixun", "tousu", "help")
_FORM_LEADS = ("zixun", "tousu")


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
    # needs, the one both agree on (cross-validated with topic × form on 3,673 train
    # lines: 0.5 91.1 %, 1.0 91.0 %, 1.5 90.9 %, 2.0 90.6 %; on 4,382, 0.5–1.5 within 0.1 %).
    lead_need_weight: float = 1.0
    # A question with no hardship told leads zixun once the lead gives zixun this much
    # (cross-validated: 0.1 90.5 %, 0.3–0.5 91.1 %, never 91.0 %).
    question_zixun: float = 0.3
    # Of a text's listed needs, the one the first clause that asks names first
    # (nlp/asking.py, read item by item) leads when its score × (1 + this) passes the
    # lead's (cross-validated on 4,382 lines: 0 90.4 %, 0.3 91.0 %, 1.0–2.0 91.1 %, 5.0
    # 90.9 %; on 5,721 with items, 2.0 −0.07 %).
    asked_first_boost: float = 1.0


@dataclass
class TextModel:
    featuriser: Featuriser
    category_models: dict[str, LinearHead]  # categories seen in training
    topic_model: LinearHead  # the need a text is about, or feijiuzhu
    form_model: LinearHead | None  # FORMS, on in-scope lines; None: every line was "help"
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
        about = [i for i, e in enumerate(examples) if _topic(e)]
        topic = _fit(matrix[about], [_topic(examples[i]) for i in about], settings)
        in_scope = [i for i, e in enumerate(examples) if e.lead != OUT_OF_SCOPE]
        forms = [_form(examples[i]) for i in in_scope]
        form = _fit(matrix[in_scope], forms, settings) if len(set(forms)) > 1 else None
        urgency = _fit(matrix, [e.urgency for e in examples], settings)
        labelled = [i for i, e in enumerate(examples) if e.intent]
        intent_model = None
        if len({examples[i].intent for i in labelled}) >= 2:
            intent_model = _fit(matrix[labelled], [examples[i].intent for i in labelled], settings)
        return cls(
            featuriser, category_models, topic, form, urgency, intent_model, settings,
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

        topic = head_columns(_TOPIC, self.topic_model, CATEGORIES)
        if self.form_model is None:
            form = np.zeros((len(rows), len(FORMS)))
            form[:, FORMS.index("help")] = 1.0
        else:
            form = head_columns(_FORM, self.form_model, FORMS)
        return Predictions(
            lead=_lead(topic, form),
            needs=needs,
            urgency=head_columns(_URGENCY, self.urgency_model, URGENCY_LEVELS),
            intent=None
            if self.intent_model is None
            else head_columns(_INTENT, self.intent_model, INTENTS),
        )

    def _stacked(self) -> _Stack:
        if self._stack is None:
            heads = {_TOPIC: self.topic_model, _URGENCY: self.urgency_model}
            heads.update(self.category_models)
            if self.form_model is not None:
                heads[_FORM] = self.form_model
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

    def weight_of(self, words: Sequence[str], category: str) -> float:
        """How much these words push towards a category (its head's positive weights)."""
        head = self.category_models.get(category)
        vocabulary = self.featuriser.word_vocabulary
        columns = [vocabulary[w] for w in words if w in vocabulary]
        if head is None or not columns:
            return 0.0
        towards = head.weights_towards("True", np.asarray(columns, dtype=np.int32))
        return float(np.clip(towards, 0.0, None).sum())

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


def _topic(example: Example) -> str:
    """What a line is about: its first need (or out of scope); "" when it names none."""
    return next((c for c in example.categories if c not in _FORM_LEADS), "")


def _form(example: Example) -> str:
    return example.lead if example.lead in _FORM_LEADS else "help"


def _lead(topic: Matrix, form: Matrix) -> Matrix:
    """P(lead) over CATEGORIES: out of scope as the topic head says; otherwise a policy
    question or a complaint by the form, a need by P(help) × P(that topic)."""
    out = topic[:, _OUT]
    lead = topic * form[:, [FORMS.index("help")]]
    lead[:, _OUT] = out
    lead[:, _ZIXUN] = (1.0 - out) * form[:, FORMS.index("zixun")]
    lead[:, _TOUSU] = (1.0 - out) * form[:, FORMS.index("tousu")]
    return lead


def _columns(head: LinearHead, raw: Matrix, labels: Sequence[str]) -> Matrix:
    result = np.zeros((raw.shape[0], len(labels)))
    result[:, [labels.index(label) for label in head.classes]] = raw
    return result
