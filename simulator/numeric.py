"""Small numeric functions written in numpy, so start-up does not pay for importing scipy.

Examples
--------
>>> float(expit(0.0)), float(logit(0.5))
(0.5, 0.0)
>>> softmax(np.array([0.0, 0.0])).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


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


def person_uniform(ids: np.ndarray, seed: int, name: str) -> np.ndarray:
    """A uniform draw in [0, 1) per person, fixed by id, seed and stream name (splitmix64).

    The draws need no generator state, so a person's draw is the same in any scenario, chunk
    or order (common random numbers).

    Examples
    --------
    >>> u = person_uniform(np.arange(3), 7, "petition")
    >>> bool(((u >= 0) & (u < 1)).all()), u.tolist() == person_uniform(np.arange(3), 7,
    ...                                                                 "petition").tolist()
    (True, True)
    """
    key = np.uint64((int(seed) & 0xFFFFFFFF) << 32 | zlib.crc32(name.encode()))
    x = np.asarray(ids).astype(np.uint64) * _GOLDEN + key
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
