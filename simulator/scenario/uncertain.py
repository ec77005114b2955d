"""Uncertain assumptions: a numeric scenario field given as a distribution instead of a number.

A field such as ``grant.rate`` may hold one of

``{beta: [a, b]}``
    beta distribution on [0, 1] (``a``, ``b`` > 0);
``{uniform: [lo, hi]}``
    uniform on [lo, hi];
``{normal: [mu, sigma]}``
    normal, truncated to the field's bounds (e.g. [0, 1] for a rate);
``{triangular: [lo, mode, hi]}``
    triangular with its peak at ``mode``.

The distribution must lie within the field's bounds (a normal is truncated to them). Loaded, the
field is an :class:`UncertainFloat` (or :class:`UncertainInt` for whole-number fields): a number
equal to the distribution's median, so a scenario run once uses the median, and carrying the
distribution, which :func:`uncertain_fields` lists and :mod:`simulator.runs.replicates` samples once
per replicate (by inverse CDF of a uniform draw, so the draws of replicate *i* depend on the seed
and *i* only).

Examples
--------
>>> d = parse({"beta": [68, 32]}, lo=0, hi=1)
>>> round(float(d), 4), d.spec
(0.6812, {'beta': [68.0, 32.0]})
>>> round(float(d.dist.ppf(0.05)), 3), round(float(d.dist.ppf(0.95)), 3)
(0.602, 0.754)
>>> parse({"uniform": [2, 1]}, lo=0, hi=1)
Traceback (most recent call last):
...
ValueError: uniform [lo, hi] needs lo < hi, got [2, 1]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema, WrapValidator

from simulator import lazy

stats = lazy.module("scipy.stats")  # scipy.stats costs about a second; only distributions need it

#: Distribution names and the parameters each takes, as written in scenario files.
KINDS = {
    "beta": ("a", "b"),
    "uniform": ("lo", "hi"),
    "normal": ("mu", "sigma"),
    "triangular": ("lo", "mode", "hi"),
}


class _Uncertain:
    """What both uncertain number types carry: the spec, the frozen scipy distribution."""

    spec: dict[str, list[float]]
    dist: Any
    integer: bool
    lo: float
    hi: float

    def sample(self, u: Any) -> Any:
        """Values at quantiles ``u`` (rounded to whole numbers for whole-number fields)."""
        x = np.clip(self.dist.ppf(u), self.lo, self.hi)  # ppf can stray by a rounding error
        return np.round(x).astype(np.int64) if self.integer else x

    def __reduce__(self) -> tuple:
        return (_rebuild, (type(self) is UncertainInt, self.spec, self.lo, self.hi))

    def __repr__(self) -> str:
        kind, params = next(iter(self.spec.items()))
        return f"{kind}({', '.join(f'{p:g}' for p in params)})"


class UncertainFloat(_Uncertain, float):
    """A float equal to its distribution's median, carrying the distribution."""


class UncertainInt(_Uncertain, int):
    """A whole number equal to its distribution's rounded median, carrying the distribution."""


def _rebuild(integer: bool, spec: dict, lo: float, hi: float) -> _Uncertain:
    return parse(spec, lo=lo, hi=hi, integer=integer)


def _frozen(kind: str, p: list[float], lo: float, hi: float) -> Any:
    if kind == "beta":
        return stats.beta(p[0], p[1])
    if kind == "uniform":
        return stats.uniform(p[0], p[1] - p[0])
    if kind == "triangular":
        return stats.triang((p[1] - p[0]) / (p[2] - p[0]), loc=p[0], scale=p[2] - p[0])
    a, b = (lo - p[0]) / p[1], (hi - p[0]) / p[1]
    return stats.truncnorm(a, b, loc=p[0], scale=p[1])


def _check(kind: str, p: list[float], lo: float, hi: float) -> None:
    names = KINDS[kind]
    shown = f"[{', '.join(names)}]"
    got = f"[{', '.join(f'{v:g}' for v in p)}]"
    if kind == "beta" and not (p[0] > 0 and p[1] > 0):
        raise ValueError(f"beta {shown} needs a > 0 and b > 0, got {got}")
    if kind == "uniform" and not p[0] < p[1]:
        raise ValueError(f"uniform {shown} needs lo < hi, got {got}")
    if kind == "normal" and not p[1] > 0:
        raise ValueError(f"normal {shown} needs sigma > 0, got {got}")
    if kind == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        raise ValueError(f"triangular {shown} needs lo <= mode <= hi and lo < hi, got {got}")
    # a normal is truncated to the bounds, so only its mean must lie within them
    support = (0.0, 1.0) if kind == "beta" else (p[0], p[-1] if kind != "normal" else p[0])
    if support[0] < lo or support[1] > hi:
        what = f"normal mean {p[0]:g} lies" if kind == "normal" else f"{kind} {got} reaches"
        raise ValueError(f"{what} outside the field's bounds [{lo:g}, {hi:g}]")


def parse(value: Mapping, *, lo: float, hi: float, integer: bool = False) -> _Uncertain:
    """An uncertain number from a ``{kind: [params]}`` mapping, checked against bounds.

    Raises
    ------
    ValueError
        With a one-line message saying what is wrong.
    """
    if len(value) != 1:
        raise ValueError(f"a distribution is one of {', '.join(KINDS)} with its parameters")
    kind, params = next(iter(value.items()))
    if kind not in KINDS:
        raise ValueError(f"unknown distribution {kind!r}; known: {', '.join(KINDS)}")
    names = KINDS[kind]
    if (
        not isinstance(params, list | tuple)
        or len(params) != len(names)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in params)
        or not all(math.isfinite(v) for v in params)
    ):
        raise ValueError(f"{kind} takes {len(names)} numbers [{', '.join(names)}], got {params!r}")
    p = [float(v) for v in params]
    _check(kind, p, lo, hi)
    dist = _frozen(kind, p, lo, hi)
    median = float(dist.median())
    out: _Uncertain = UncertainInt(round(median)) if integer else UncertainFloat(median)
    out.spec, out.dist, out.integer, out.lo, out.hi = {kind: p}, dist, integer, lo, hi
    return out


def _schema(lo: float | None, hi: float | None, integer: bool) -> dict:
    number: dict[str, Any] = {"type": "integer" if integer else "number"}
    if lo is not None:
        number["minimum"] = lo
    if hi is not None:
        number["maximum"] = hi
    kinds = [
        {
            "type": "object",
            "properties": {
                k: {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": len(v),
                    "maxItems": len(v),
                }
            },
            "required": [k],
            "additionalProperties": False,
        }
        for k, v in KINDS.items()
    ]
    return {"anyOf": [number, *kinds]}


def uncertain(base: type = float, *, ge: float | None = None, le: float | None = None) -> Any:
    """An annotated field type: a number within ``[ge, le]`` or a distribution mapping.

    Numbers are validated as before (same messages); mappings by :func:`parse`. Scenario
    dumps write the distribution back, so overrides and hashes keep it.
    """
    lo = -math.inf if ge is None else float(ge)
    hi = math.inf if le is None else float(le)
    integer = base is int

    def validate(value: Any, handler: Any) -> Any:
        if isinstance(value, _Uncertain):
            return value
        if isinstance(value, Mapping):
            return parse(value, lo=lo, hi=hi, integer=integer)
        return handler(value)

    def serialize(value: Any) -> Any:
        return value.spec if isinstance(value, _Uncertain) else value

    return Annotated[
        base,
        Field(ge=ge, le=le),
        WrapValidator(validate),
        PlainSerializer(serialize, when_used="always"),
        WithJsonSchema(_schema(ge, le, integer)),
    ]


def uncertain_fields(scenario: BaseModel) -> dict[str, _Uncertain]:
    """The scenario's uncertain assumptions by dotted key (as ``--set`` takes them), sorted.

    Examples
    --------
    >>> from simulator.scenario import load_scenario, with_overrides
    >>> s = with_overrides(load_scenario("scenarios/2014_guidelines.yaml"),
    ...                    {"grant.rate": "{beta: [68, 32]}"})
    >>> uncertain_fields(s)
    {'grant.rate': beta(68, 32)}
    """
    found: dict[str, _Uncertain] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, _Uncertain):
            found[path] = node
        elif hasattr(type(node), "model_fields"):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, list | tuple):
            for i, item in enumerate(node):
                walk(item, f"{path}.{i}")
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")

    walk(scenario, "")
    return dict(sorted(found.items()))
