"""A trained, calibrated linear classifier reduced to arrays.

scikit-learn's predict_proba validates its input on every call, which costs
more than the arithmetic for one short text (about 1 ms per model, and the
analyser runs nineteen). A head keeps only the weights and the sigmoid
calibration and computes the same probabilities with one sparse product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.calibration import CalibratedClassifierCV

Matrix = npt.NDArray[np.float64]


def sigmoid(values: Matrix) -> Matrix:
    """Logistic function; scipy.special.expit would cost a fifth of a second to import."""
    result: Matrix = 1.0 / (1.0 + np.exp(-np.clip(values, -500.0, 500.0)))
    return result


@dataclass(frozen=True)
class LinearHead:
    classes: tuple[str, ...]
    weights: Matrix  # (features, columns): one column for two classes, else one per class
    bias: Matrix  # (columns,)
    slope: Matrix  # sigmoid calibration: p = 1 / (1 + exp(slope * d + offset))
    offset: Matrix

    @classmethod
    def from_calibrated(cls, model: CalibratedClassifierCV) -> LinearHead:
        if len(model.calibrated_classifiers_) != 1:
            raise ValueError("需要 ensemble=False 训练的校准模型")
        calibrated = model.calibrated_classifiers_[0]
        if calibrated.method != "sigmoid":
            raise ValueError(f"不支持的校准方法：{calibrated.method}")
        estimator = calibrated.estimator
        order = [list(model.classes_).index(c) for c in estimator.classes_]
        if order != sorted(order):
            raise ValueError("分类器的类别顺序与校准器不一致")
        return cls(
            classes=tuple(str(c) for c in model.classes_),
            weights=np.ascontiguousarray(estimator.coef_.T, dtype=np.float64),
            bias=np.asarray(estimator.intercept_, dtype=np.float64),
            slope=np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64),
            offset=np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64),
        )

    def probabilities(self, matrix: sparse.csr_matrix) -> Matrix:
        """(rows, classes) in the order of self.classes, as predict_proba gives them."""
        return self.calibrate(np.asarray(matrix @ self.weights) + self.bias)

    def calibrate(self, decision: Matrix) -> Matrix:
        """Probabilities from decision values (matrix @ weights + bias)."""
        return self.normalise(sigmoid(-(self.slope * decision + self.offset)))

    def normalise(self, calibrated: Matrix) -> Matrix:
        """Probabilities from the calibrated sigmoid of each column."""
        if len(self.classes) == 2:
            return np.hstack([1.0 - calibrated, calibrated])
        total = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1.0 / len(self.classes))
        normalised: Matrix = np.divide(calibrated, total, out=uniform, where=total != 0)
        return normalised

    def weights_towards(self, label: str, features: npt.NDArray[np.int32]) -> Matrix:
        """Weights of some features towards one class (for two classes: the second)."""
        if len(self.classes) == 2:
            sign = 1.0 if label == self.classes[1] else -1.0
            towards: Matrix = sign * self.weights[features, 0]
            return towards
        column: Matrix = self.weights[features, self.classes.index(label)]
        return column
