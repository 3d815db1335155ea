"""TF-IDF features of texts: jieba words (1–2-grams) and characters (1–3-grams).

Fitting uses scikit-learn's TfidfVectorizer; the fitted vocabularies and IDF
weights are then kept as plain arrays and applied here, so that loading a
model needs neither scikit-learn (over a second to import) nor its per-call
input checks. The arithmetic is the vectoriser's: sublinear TF, IDF, L2 norm.
Prediction works on `Rows` (the three arrays of a CSR matrix) and numpy alone:
scipy.sparse costs a sixth of a second to import and more than the arithmetic
to build a matrix for one short text; training still gets a scipy matrix.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nlp.tokens import words

if TYPE_CHECKING:
    from scipy import sparse

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
    grams += [text[i : i + 2] for i in range(len(text) - 1)]
    grams += [text[i : i + 3] for i in range(len(text) - 2)]
    return grams


# Rows multiplied at once: the temporary (non-zeros × model columns) array stays in cache.
_CHUNK_ROWS = 32


@dataclass(frozen=True)
class Rows:
    """Rows of a sparse matrix as CSR arrays: row i is indices/values[bounds[i]:bounds[i+1]]."""

    indices: npt.NDArray[np.int32]
    values: Matrix
    bounds: npt.NDArray[np.int64]
    columns: int

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def row(self, index: int) -> WordRow:
        start, end = self.bounds[index], self.bounds[index + 1]
        return self.indices[start:end], self.values[start:end]

    def dot(self, weights: Matrix) -> Matrix:
        """self @ weights; equal to scipy's product but for rounding (numpy sums pairwise)."""
        result = np.zeros((len(self), weights.shape[1]))
        lengths = np.diff(self.bounds)
        for first in range(0, len(self), _CHUNK_ROWS):
            last = min(len(self), first + _CHUNK_ROWS)
            low, high = self.bounds[first], self.bounds[last]
            filled = np.flatnonzero(lengths[first:last])
            if not len(filled):
                continue
            products = np.take(weights, self.indices[low:high], axis=0)
            products *= self.values[low:high, None]
            starts = self.bounds[first:last][filled] - low
            result[first + filled] = np.add.reduceat(products, starts, axis=0)
        return result

    def to_csr(self) -> sparse.csr_matrix:
        from scipy import sparse

        return sparse.csr_matrix(
            (self.values, self.indices, self.bounds), shape=(len(self), self.columns)
        )


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

    def rows(self, model_texts: Sequence[str]) -> tuple[list[WordRow], Rows]:
        """(word rows, all rows: word columns then character columns)."""
        word_part = _tfidf(map(word_grams, model_texts), self.word_vocabulary, self.word_idf)
        char_part = _tfidf(map(char_grams, model_texts), self.char_vocabulary, self.char_idf)
        return [word_part.row(i) for i in range(len(word_part))], _side_by_side(word_part, char_part)

    def transform(self, model_texts: Sequence[str]) -> tuple[list[WordRow], sparse.csr_matrix]:
        """(word rows, whole matrix: word columns then character columns) for training."""
        word_rows, rows = self.rows(model_texts)
        return word_rows, rows.to_csr()


def _tfidf(documents: Iterable[list[str]], vocabulary: dict[str, int], idf: Matrix) -> Rows:
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for grams in documents:
        found = Counter(grams)
        known = found.keys() & vocabulary.keys()
        indices += [vocabulary[g] for g in known]
        counts += [found[g] for g in known]
        indptr.append(len(indices))
    bounds = np.asarray(indptr, dtype=np.int64)
    lengths = np.diff(bounds)
    row_of = np.repeat(np.arange(len(lengths)), lengths)
    # Columns ascending within each row, as in a canonical CSR matrix.
    unsorted = np.asarray(indices, dtype=np.int32)
    order = np.lexsort((unsorted, row_of))
    columns = unsorted[order]
    data = (1.0 + np.log(np.asarray(counts, dtype=np.float64)[order])) * idf[columns]
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=len(lengths)))
    data /= np.where(norms > 0, norms, 1.0)[row_of]
    return Rows(columns, data, bounds, len(idf))


def _side_by_side(left: Rows, right: Rows) -> Rows:
    """Each row of left followed by the same row of right (columns shifted past left's)."""
    left_lengths, right_lengths = np.diff(left.bounds), np.diff(right.bounds)
    bounds = np.zeros(len(left) + 1, dtype=np.int64)
    np.cumsum(left_lengths + right_lengths, out=bounds[1:])
    indices = np.empty(bounds[-1], dtype=np.int32)
    values = np.empty(bounds[-1], dtype=np.float64)
    row_of = np.repeat(np.arange(len(left)), left_lengths)
    at = np.arange(len(left.indices)) - left.bounds[row_of] + bounds[row_of]
    indices[at], values[at] = left.indices, left.values
    row_of = np.repeat(np.arange(len(right)), right_lengths)
    at = np.arange(len(right.indices)) - right.bounds[row_of] + bounds[row_of] + left_lengths[row_of]
    indices[at], values[at] = right.indices + left.columns, right.values
    return Rows(indices, values, bounds, left.columns + right.columns)
