"""Dates as integer days since 1970-01-01, the form every date takes inside the simulator.

Populations hold dates as ``int32`` day numbers so that comparisons and arithmetic are plain
integer operations. These helpers convert at the edges. How many days a month or a year of a
sentence holds is a convention with a source, so it lives in ``data/law/conventions.yaml``
(:mod:`simulator.law.conventions`).

Examples
--------
>>> day("2014-11-01")
16375
>>> iso(16375)
'2014-11-01'
>>> str(month_label(np.array([16375], dtype=np.int32))[0])
'2014-11'
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")
#: A date later than every real date: "never" (e.g. the release of a person serving life).
NEVER = np.iinfo(np.int32).max
#: The dates the simulator takes from users (scenarios, population files, the command line):
#: wide enough for any real case, narrow enough that a date plus a life term, the summary's
#: waves or a projection's horizon is still a date.
FIRST_DATE, LAST_DATE = _dt.date(1950, 1, 1), _dt.date(2100, 12, 31)


def within_dates(value: _dt.date) -> _dt.date:
    """``value`` if it lies within ``FIRST_DATE..LAST_DATE``; a ``ValueError`` saying so if not.

    Examples
    --------
    >>> within_dates(_dt.date(1900, 1, 1))
    Traceback (most recent call last):
    ...
    ValueError: expected a date from 1950-01-01 to 2100-12-31, got 1900-01-01
    """
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {value}")
    return value


def day(value: str | _dt.date | np.datetime64) -> int:
    """Day number of a date given as ISO text, ``datetime.date`` or ``numpy.datetime64``."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    return int((np.datetime64(value, "D") - EPOCH).astype(np.int64))


def iso(days: int) -> str:
    """ISO text of a day number."""
    return str(EPOCH + np.timedelta64(int(days), "D"))


def to_datetime64(days: np.ndarray) -> np.ndarray:
    """Day numbers as ``datetime64[D]`` (``NEVER`` becomes ``NaT``)."""
    days = np.asarray(days)
    out = EPOCH + days.astype("timedelta64[D]")
    return np.where(days == NEVER, np.datetime64("NaT"), out)


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number (``int32``).

    Large arrays go through a table of the days they span (one gather instead of two
    calendar conversions per element).

    Examples
    --------
    >>> month_index(np.array([0, 31, 59, -1])).tolist()
    [0, 1, 2, -1]
    """
    days = np.asarray(days)
    if days.size < 4096:
        return _months_of(days)
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 4 * days.size:  # a few far-apart days: the table would cost more
        return _months_of(days)
    table = _months_of(np.arange(lo, hi + 1))
    return table[days - lo]


def _months_of(days: np.ndarray) -> np.ndarray:
    return (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int32)


def month_label(months_or_days: np.ndarray, *, is_month: bool = False) -> np.ndarray:
    """``YYYY-MM`` labels of day numbers (or of month indices when ``is_month``)."""
    months = np.asarray(months_or_days) if is_month else month_index(months_or_days)
    return np.datetime_as_string(months.astype("datetime64[M]"), unit="M")


def add_years(days: int, years: int) -> int:
    """The same calendar day ``years`` later (Feb 29 becomes Feb 28)."""
    d = _dt.date.fromisoformat(iso(days))
    try:
        return day(d.replace(year=d.year + years))
    except ValueError:
        return day(d.replace(year=d.year + years, day=28))
