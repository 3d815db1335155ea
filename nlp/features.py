"""TF-IDF features of texts: jieba words (1–2-grams) and characters (1–3-grams).

Fitting uses scikit-learn's TfidfVectorizer; the fitted vocabularies and IDF
weights are then kept as plain arrays and applied here, so that loading a
model needs neither scikit-learn (over a second to import) nor its per-call
input checks. The arithmetic is the vectoriser's: sublinear TF, IDF, L2 norm.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nlp.tokens import words

Matrix = npt.NDArray[np.float64]
# One text's word features: column indices and TF-IDF values.
WordRow = tuple[npt.NDArray[np.int32], Matrix]

_WHITE_SPACES = re.compile(r"\s\s+")


def word_grams(text: str) -> list[str]:
    tokens = words(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_grams(text: str) -> list[str]:
    text = _WHITE_SPACES.sub(" ", text.lower())
    grams = list(text)
    for size in (2, 3):
        grams.extend(text[i : i + size] for i in range(len(text) - size + 1))
    return grams


@dataclass(frozen=True)
class Featuriser:
    word_vocabulary: dict[str, int]
    word_idf: Matrix
    char_vocabulary: dict[str, int]
    char_idf: Matrix

    @classmethod
    def fit(cls, model_texts: Sequence[str]) -> Featuriser:
        from sklearn.feature_extraction.text import TfidfVectorizer

        word_vec = TfidfVectorizer(analyzer=word_grams, sublinear_tf=True)
        char_vec = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, min_df=2)
        word_vec.fit(model_texts)
        char_vec.fit(model_texts)
        return cls(
            {str(k): int(v) for k, v in word_vec.vocabulary_.items()},
            np.asarray(word_vec.idf_, dtype=np.float64),
            {str(k): int(v) for k, v in char_vec.vocabulary_.items()},
            np.asarray(char_vec.idf_, dtype=np.float64),
        )

    @property
    def word_names(self) -> list[str]:
        names = [""] * len(self.word_vocabulary)
        for name, column in self.word_vocabulary.items():
            names[column] = name
        return names

    def transform(self, model_texts: Sequence[str]) -> tuple[list[WordRow], sparse.csr_matrix]:
        """(word rows, whole matrix: word columns then character columns)."""
        word_part = _tfidf(map(word_grams, model_texts), self.word_vocabulary, self.word_idf)
        char_part = _tfidf(map(char_grams, model_texts), self.char_vocabulary, self.char_idf)
        rows = [
            (word_part.indices[start:end], word_part.data[start:end])
            for start, end in zip(word_part.indptr[:-1], word_part.indptr[1:], strict=True)
        ]
        return rows, sparse.hstack([word_part, char_part], format="csr")


def _tfidf(
    documents: Iterable[list[str]], vocabulary: dict[str, int], idf: Matrix
) -> sparse.csr_matrix:
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for grams in documents:
        found = Counter(vocabulary[g] for g in grams if g in vocabulary)
        for column in sorted(found):
            indices.append(column)
            counts.append(found[column])
        indptr.append(len(indices))
    columns = np.asarray(indices, dtype=np.int32)
    bounds = np.asarray(indptr, dtype=np.int64)
    lengths = np.diff(bounds)
    data = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * idf[columns]
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=len(lengths)))
    data /= np.where(norms > 0, norms, 1.0)[row_of]
    return sparse.csr_matrix((data, columns, bounds), shape=(len(lengths), len(idf)))
