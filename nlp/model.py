"""The statistical half of the classifier: TF-IDF features and linear models.

Jieba words (with the domain dictionary) and character 1–3-grams, one
logistic regression per category (multi-label, one-vs-rest), one for urgency
and one for the intent. Rules live in nlp.urgency; the analyser combines both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

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


def model_text(normalised: str) -> str:
    return _DIGITS.sub("0", canonical(normalised[:MAX_MODEL_CHARS]))


@dataclass(frozen=True)
class Settings:
    category_c: float = 10.0
    urgency_c: float = 10.0
    intent_c: float = 10.0
    need_threshold: float = 0.35  # a second need is listed from this probability
    critical_threshold: float = 0.35  # the model alone raises to critical from here


@dataclass
class TextModel:
    word_vectoriser: TfidfVectorizer
    char_vectoriser: TfidfVectorizer
    category_models: dict[str, LogisticRegression]  # categories seen in training
    lead_model: LogisticRegression  # which need leads: 咨询 and 投诉 lead their topic
    urgency_model: LogisticRegression
    intent_model: LogisticRegression | None
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
        category_models: dict[str, LogisticRegression] = {}
        for category in CATEGORIES:
            target = np.array([category in e.categories for e in examples], dtype=int)
            if 0 < target.sum() < len(target):
                model = LogisticRegression(C=settings.category_c, solver="liblinear")
                category_models[category] = model.fit(matrix, target)
        lead = LogisticRegression(C=settings.category_c, max_iter=3000).fit(
            matrix, [e.lead for e in examples]
        )
        urgency = LogisticRegression(
            C=settings.urgency_c, max_iter=2000, class_weight="balanced"
        ).fit(matrix, [e.urgency for e in examples])
        intents = [e.intent for e in examples]
        intent_model = None
        labelled = [i for i, intent in enumerate(intents) if intent]
        if len({intents[i] for i in labelled}) >= 2:
            intent_model = LogisticRegression(C=settings.intent_c, max_iter=2000).fit(
                matrix[labelled], [intents[i] for i in labelled]
            )
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
        weights = model.coef_[0][word_row.indices] * word_row.data
        names = [
            str(self.word_names[word_row.indices[i]])
            for i in np.argsort(-weights)
            if weights[i] > 0
        ]
        # One-character words (的, 了) carry weight but explain nothing to an agent.
        return tuple(n for n in names if len(n.replace(" ", "")) > 1)[:limit]


def _columns(model: LogisticRegression, matrix: sparse.csr_matrix, labels: Sequence[str]) -> Matrix:
    raw = model.predict_proba(matrix)
    result = np.zeros((matrix.shape[0], len(labels)))
    for index, label in enumerate(model.classes_):
        result[:, labels.index(str(label))] = raw[:, index]
    return result
