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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
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

    @cached_property
    def _idf(self) -> Matrix:
        """IDF of all columns: words, then characters."""
        return np.concatenate([self.word_idf, self.char_idf])

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the cached concatenation."""
        return {k: v for k, v in self.__dict__.items() if k != "_idf"}

    def rows(self, model_texts: Sequence[str]) -> tuple[list[WordRow], Rows]:
        """(word rows, all rows: word columns then character columns)."""
        word_vocabulary, char_vocabulary = self.word_vocabulary, self.char_vocabulary
        offset = len(self.word_idf)
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in model_texts:
            found = Counter(word_grams(text))
            known = found.keys() & word_vocabulary.keys()
            indices += [word_vocabulary[g] for g in known]
            counts += [found[g] for g in known]
            found = Counter(char_grams(text))
            known = found.keys() & char_vocabulary.keys()
            indices += [char_vocabulary[g] + offset for g in known]
            counts += [found[g] for g in known]
            indptr.append(len(indices))
        bounds = np.asarray(indptr, dtype=np.int64)
        row_of = np.repeat(np.arange(len(model_texts)), np.diff(bounds))
        # Columns ascending within each row (a canonical CSR matrix): words before characters.
        unsorted = np.asarray(indices, dtype=np.int32)
        order = np.lexsort((unsorted, row_of))
        columns = unsorted[order]
        data = (1.0 + np.log(np.asarray(counts, dtype=np.float64)[order])) * self._idf[columns]
        # Each row's word part and character part have unit length on their own.
        is_char = columns >= offset
        part = 2 * row_of + is_char
        norms = np.sqrt(np.bincount(part, weights=data * data, minlength=2 * len(model_texts)))
        data /= np.where(norms > 0, norms, 1.0)[part]
        word_lengths = np.bincount(row_of[~is_char], minlength=len(model_texts))
        word_rows = [
            (columns[start : start + length], data[start : start + length])
            for start, length in zip(bounds[:-1].tolist(), word_lengths.tolist(), strict=True)
        ]
        return word_rows, Rows(columns, data, bounds, len(self._idf))

    def transform(self, model_texts: Sequence[str]) -> tuple[list[WordRow], sparse.csr_matrix]:
        """(word rows, whole matrix: word columns then character columns) for training."""
        word_rows, rows = self.rows(model_texts)
        return word_rows, rows.to_csr()

