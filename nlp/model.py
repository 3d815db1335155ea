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

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from nlp.categories import CATEGORIES
from nlp.corpus import Example
from nlp.normalise import normalise
from nlp.signals import INTENTS, URGENCY_LEVELS
from nlp.tokens import words
from nlp.urgency import canonical

# Long texts are letters and pasted documents; their opening says what they want.
MAX_MODEL_CHARS = 3000
_DIGITS = re.compile(r"\d+(?:\.\d+)?")

Matrix = npt.NDArray[np.float64]
CALIBRATION_FOLDS = 3
CALIBRATION_METHOD = "sigmoid"


def model_text(normalised: str) -> str:
    return _DIGITS.sub("0", canonical(normalised[:MAX_MODEL_CHARS]))


@dataclass(frozen=True)
class Settings:
    c: float = 0.5  # LinearSVC regularisation, all models
    need_threshold: float = 0.35  # a second need is listed from this probability
    critical_threshold: float = 0.35  # the model alone raises to critical from here


@dataclass
class TextModel:
    word_vectoriser: TfidfVectorizer
    char_vectoriser: TfidfVectorizer
    category_models: dict[str, CalibratedClassifierCV]  # categories seen in training
    lead_model: CalibratedClassifierCV  # which need leads: 咨询 and 投诉 lead their topic
    urgency_model: CalibratedClassifierCV
    intent_model: CalibratedClassifierCV | None
    settings: Settings = field(default_factory=Settings)
    word_names: npt.NDArray[np.str_] = field(default_factory=lambda: np.array([], dtype=str))

    @classmethod
    def fit(cls, examples: Sequence[Example], settings: Settings | None = None) -> TextModel:
        settings = settings or Settings()
        if not examples:
            raise ValueError("没有训练样本")
        texts = [model_text(normalise(e.text)) for e in examples]
        word_vec = TfidfVectorizer(
            tokenizer=str.split, token_pattern=None, lowercase=False,
            ngram_range=(1, 2), sublinear_tf=True, min_df=1,
        )
        char_vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=True,
        )
        word_matrix = word_vec.fit_transform([" ".join(words(t)) for t in texts])
        char_matrix = char_vec.fit_transform(texts)
        matrix = sparse.hstack([word_matrix, char_matrix]).tocsr()
        category_models: dict[str, CalibratedClassifierCV] = {}
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
            word_vec, char_vec, category_models, lead, urgency, intent_model, settings,
            word_vec.get_feature_names_out(),
        )

    def features(self, model_texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(word part, whole matrix) for texts already passed through model_text."""
        word_matrix = self.word_vectoriser.transform([" ".join(words(t)) for t in model_texts])
        char_matrix = self.char_vectoriser.transform(model_texts)
        return word_matrix.tocsr(), sparse.hstack([word_matrix, char_matrix]).tocsr()

    def category_probabilities(self, matrix: sparse.csr_matrix) -> Matrix:
        """Columns in the order of CATEGORIES; 0 for categories never seen in training."""
        probabilities = np.zeros((matrix.shape[0], len(CATEGORIES)))
        for column, category in enumerate(CATEGORIES):
            model = self.category_models.get(category)
            if model is not None:
                probabilities[:, column] = model.predict_proba(matrix)[:, 1]
        return probabilities

    def lead_probabilities(self, matrix: sparse.csr_matrix) -> Matrix:
        """Columns in the order of CATEGORIES; exactly one lead per text."""
        return _columns(self.lead_model, matrix, CATEGORIES)

    def urgency_probabilities(self, matrix: sparse.csr_matrix) -> Matrix:
        """Columns in the order of URGENCY_LEVELS."""
        return _columns(self.urgency_model, matrix, URGENCY_LEVELS)

    def intent_probabilities(self, matrix: sparse.csr_matrix) -> Matrix | None:
        if self.intent_model is None:
            return None
        return _columns(self.intent_model, matrix, INTENTS)

    def evidence(
        self, word_row: sparse.csr_matrix, category: str, limit: int = 3
    ) -> tuple[str, ...]:
        """The words of one text that pushed most towards a category."""
        model = self.category_models.get(category)
        if model is None or word_row.nnz == 0:
            return ()
        coef = np.mean([c.estimator.coef_[0] for c in model.calibrated_classifiers_], axis=0)
        weights = coef[word_row.indices] * word_row.data
        names = [
            str(self.word_names[word_row.indices[i]])
            for i in np.argsort(-weights)
            if weights[i] > 0
        ]
        # One-character words (的, 了) carry weight but explain nothing to an agent.
        return tuple(n for n in names if len(n.replace(" ", "")) > 1)[:limit]


def _fit(
    matrix: sparse.csr_matrix, labels: Sequence[object], settings: Settings
) -> CalibratedClassifierCV:
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
    model = CalibratedClassifierCV(
        LinearSVC(C=settings.c), cv=CALIBRATION_FOLDS, method=CALIBRATION_METHOD, ensemble=False
    )
    return model.fit(matrix[rows], [labels[i] for i in rows])


def _columns(
    model: CalibratedClassifierCV, matrix: sparse.csr_matrix, labels: Sequence[str]
) -> Matrix:
    raw = model.predict_proba(matrix)
    result = np.zeros((matrix.shape[0], len(labels)))
    for index, label in enumerate(model.classes_):
        result[:, labels.index(str(label))] = raw[:, index]
    return result
