"""The cells of a population file: missing values, yes/no spellings, numbers, codes and dates.

Every check is a vectorized mask over a column; :class:`Checks` collects the masks with their
reasons and builds a reason string only for the rows that fail.

Examples
--------
>>> import pandas as pd
>>> from simulator.model.population import SCHEMA
>>> checks = Checks(3)
>>> parse_column("role", SCHEMA["role"], pd.Series(["1", "x", "9"]), checks).tolist()
[1, 0, 0]
>>> checks.reasons().tolist()
['role: not a number (got x)', 'role: must be at most 4 (got 9)']
"""

from __future__ import annotations

import numpy as np

from simulator import lazy
from simulator.calendar import iso
from simulator.errors import VISIBLE
from simulator.model.population import Column, stored

pd = lazy.module("pandas")


def _spellings(*words: str) -> tuple[str, ...]:
    """Each word as written, in capitals and capitalized (``isin`` is faster than lowering)."""
    return tuple({v for w in words for v in (w, w.upper(), w.capitalize())})


_TRUE = _spellings("true", "t", "yes", "y", "1", "1.0")
_FALSE = _spellings("false", "f", "no", "n", "0", "0.0")
_MISSING = _spellings("", " ", "nan", "na", "n/a", "null", "none", "nat")


def is_blank(s: pd.Series) -> np.ndarray:
    """Missing values: NA, NaN, empty text, or text such as ``NA``, ``null``, ``nan``."""
    types = pd.api.types
    out = s.isna().to_numpy().copy()
    if not (types.is_numeric_dtype(s) or types.is_datetime64_any_dtype(s)):
        out |= s.isin(_MISSING).to_numpy()
    return out


class Checks:
    """Collects (mask, reason) pairs; reasons are built only for the rows that fail."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.problems: list[tuple[np.ndarray, str, np.ndarray | None]] = []

    def add(
        self, mask: np.ndarray, reason: str, shown: np.ndarray | pd.Series | None = None
    ) -> None:
        """Record that the rows of ``mask`` fail for ``reason`` (``shown``: values to quote).

        ``shown`` may be the column itself: only the failing rows' values are then taken from
        it, when a message needs them (a column of text turned into objects costs time).
        """
        if mask.any():
            self.problems.append((mask, reason, shown))

    def ok(self, *columns: str) -> np.ndarray:
        """Rows whose values in ``columns`` passed their own checks."""
        out = np.ones(self.n, dtype=bool)
        for mask, reason, _ in self.problems:
            if reason.split(":")[0] in columns:
                out &= ~mask
        return out

    def bad(self) -> np.ndarray:
        """Rows with any problem."""
        out = np.zeros(self.n, dtype=bool)
        for mask, _, _ in self.problems:
            out |= mask
        return out

    def reasons(self) -> pd.Series:
        """Every reason of every bad row, joined by '; ', indexed by row position."""
        parts = []
        for mask, reason, shown in self.problems:
            idx = np.flatnonzero(mask)
            text = pd.Series(reason, index=idx)
            if shown is not None:
                values = shown.iloc[idx].to_numpy() if isinstance(shown, pd.Series) else shown[idx]
                got = pd.Series(values, index=idx).astype(str).str.translate(VISIBLE)
                text = text + " (got " + got + ")"
            parts.append(text)
        joined = pd.concat(parts) if parts else pd.Series([], dtype=str)
        return joined.groupby(level=0, sort=True).agg("; ".join)


def _bound(x: float) -> str:
    """A bound as a user reads it: ``2147483647``, ``0.5``, ``1e+12``."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e10 else f"{x:g}"


def numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values as float64 and a mask of values that are present but not numbers.

    Durations and timestamps (in a Parquet file) are not numbers: their nanoseconds are not
    months or grams.
    """
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64), np.zeros(len(s), dtype=bool)
    types = pd.api.types
    if types.is_timedelta64_dtype(s) or types.is_datetime64_any_dtype(s):
        return np.full(len(s), np.nan), ~is_blank(s)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return v, np.isnan(v) & ~is_blank(s)


def calendar_days(s: pd.Series) -> np.ndarray:
    """Day numbers of a column of timestamps (a Parquet date or timestamp column).

    The rule: a timestamp stands for the calendar date its own clock shows. A time of day is
    dropped (``2014-11-01T23:00`` is 2014-11-01, before 1970 too); a timestamp with a time
    zone is read in that zone (``2014-11-01T00:00+09:00`` is 2014-11-01, although it is still
    October 31 in UTC). Missing values come out as some day; :func:`is_blank` finds them.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2014-11-01T23:00", "1960-03-01T23:59"]))
    >>> calendar_days(s).tolist()
    [16375, -3593]
    >>> calendar_days(s.dt.tz_localize("Asia/Tokyo")).tolist()
    [16375, -3593]
    """
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)  # the wall clock of the column's own zone, not UTC
    return s.to_numpy().astype("datetime64[D]").astype(np.int64)


def code_index(s: pd.Series, codes: tuple[str, ...]) -> np.ndarray:
    """Each value's index in ``codes`` (-1: not one of them, or missing).

    A categorical column (a Parquet column of text is read as one) is looked up by its
    categories, a handful, instead of by its values.

    Examples
    --------
    >>> codes = ("heroin", "cocaine")
    >>> s = pd.Series(["cocaine", "x", None, "heroin"])
    >>> code_index(s, codes).tolist(), code_index(s.astype("category"), codes).tolist()
    ([1, -1, -1, 0], [1, -1, -1, 0])
    """
    known = pd.Index(list(codes))
    if isinstance(s.dtype, pd.CategoricalDtype):
        by_category = np.append(known.get_indexer(s.cat.categories), -1)  # code -1: missing
        return by_category.take(s.cat.codes.to_numpy())
    return known.get_indexer(s)


def parse_column(name: str, col: Column, s: pd.Series, checks: Checks) -> np.ndarray:
    """One column as an array of the schema's dtype; every problem recorded in ``checks``."""
    dtype = col.dtype
    blank = is_blank(s)
    if not col.blank_is_zero:  # else a blank cell is the column's 0 ("none" for a code)
        checks.add(blank, f"{name}: missing")
    raw = s  # the failing rows' values are quoted from the column itself
    if col.kind == "code":
        index = code_index(s, col.codes)
        known = index >= 0
        checks.add(~known & ~blank, f"{name}: unknown code; allowed: {', '.join(col.codes)}", raw)
        return np.where(known, index, 0).astype(dtype)
    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(s) and not blank.any():
            return s.to_numpy(dtype=bool)
        yes, no = s.isin((*_TRUE, True)).to_numpy(), s.isin((*_FALSE, False)).to_numpy()
        checks.add(~yes & ~no & ~blank, f"{name}: expected true or false", raw)
        return yes
    if col.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            days = calendar_days(s)
            bad = np.zeros(len(s), dtype=bool)
        else:
            parsed = pd.to_datetime(s.astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
            bad = parsed.isna().to_numpy() & ~blank
            days = parsed.to_numpy().astype("datetime64[D]").astype(np.int64)
        checks.add(bad, f"{name}: expected a date YYYY-MM-DD", raw)
        ok = ~blank & ~bad
        out_of = ok & ((days < col.lo) | (days > col.hi))
        checks.add(out_of, f"{name}: outside {iso(int(col.lo))}..{iso(int(col.hi))}", raw)
        return np.where(ok & ~out_of, days, 0).astype(dtype)
    v, bad = numbers(s)
    checks.add(bad, f"{name}: not a number", raw)
    ok = ~blank & ~bad
    finite = np.isfinite(v)
    checks.add(ok & ~finite, f"{name}: not a finite number", raw)
    ok &= finite
    if col.kind == "int":
        frac = ok & (v != np.floor(np.where(ok, v, 0)))
        checks.add(frac, f"{name}: not a whole number", raw)
        ok &= ~frac
    if col.allowed is not None:
        out = ok & ~np.isin(v, col.allowed)
        checks.add(out, f"{name}: must be one of {', '.join(map(str, col.allowed))}", raw)
    else:
        low = "above" if name == "grams" else "at least"
        below = ok & ((v <= col.lo) if name == "grams" else (v < col.lo))
        checks.add(below, f"{name}: must be {low} {_bound(col.lo)}", raw)
        out = below | (ok & (v > col.hi))
        checks.add(ok & (v > col.hi), f"{name}: must be at most {_bound(col.hi)}", raw)
    ok &= ~out
    return stored(np.where(ok, v, 0), dtype)
