"""Small numeric functions written in numpy, so start-up does not pay for importing scipy.

Examples
--------
>>> float(expit(0.0)), float(logit(0.5))
(0.5, 0.0)
>>> softmax(np.array([0.0, 0.0])).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import numpy as np


def expit(x: np.ndarray | float) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, without overflow for large ``|x|``."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray | float) -> np.ndarray:
    """Log-odds ``log(p / (1 - p))``."""
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)


def softmax(x: np.ndarray | list, axis: int = -1) -> np.ndarray:
    """Normalized exponentials along ``axis``."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
