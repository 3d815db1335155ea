from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from nlp.linear import LinearHead


def fitted(labels: list[str]) -> tuple[CalibratedClassifierCV, sparse.csr_matrix]:
    rng = np.random.default_rng(7)
    dense = rng.random((len(labels), 12))
    matrix = sparse.csr_matrix(dense * (rng.random(dense.shape) > 0.5))
    model = CalibratedClassifierCV(LinearSVC(C=0.5), cv=3, method="sigmoid", ensemble=False)
    return model.fit(matrix, labels), matrix


@pytest.mark.parametrize(
    "labels",
    [["a", "b"] * 15, ["a", "b", "c"] * 10, ["False", "True", "False"] * 10],
)
def test_same_probabilities_as_scikit_learn(labels: list[str]) -> None:
    model, matrix = fitted(labels)
    head = LinearHead.from_calibrated(model)
    assert head.classes == tuple(model.classes_)
    assert np.allclose(head.probabilities(matrix), model.predict_proba(matrix))


def test_refuses_an_ensemble() -> None:
    rng = np.random.default_rng(1)
    model = CalibratedClassifierCV(LinearSVC(), cv=3).fit(rng.random((30, 4)), ["a", "b"] * 15)
    with pytest.raises(ValueError):
        LinearHead.from_calibrated(model)
