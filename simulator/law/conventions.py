"""Conventions with a legal or statistical meaning: life in months, days in a year, fiscal years.

Each value is read from ``data/law/conventions.yaml``, which names its source; code never
writes one of these numbers itself.

Examples
--------
>>> c = conventions()
>>> c.life_months, c.days_per_year, c.days_per_month
(470, 365.2425, 30.436875)
>>> from simulator.calendar import day, iso
>>> c.fiscal_year(day("2014-10-01")), iso(c.fiscal_year_start(2015)), iso(c.fiscal_year_end(2015))
(2015, '2014-10-01', '2015-09-30')
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from simulator.calendar import day, iso
from simulator.law.codes import CATEGORIES
from simulator.resources import data_dir, read_yaml


@dataclass(frozen=True)
class Conventions:
    """The conventions of ``data/law/conventions.yaml``."""

    life_months: int  # a life sentence, coded in months (the Commission's SENTTOT convention)
    days_per_year: float  # the mean Gregorian year
    fiscal_year_start_month: int  # the federal fiscal year starts on the first of this month
    chc_points: tuple[int, ...]  # smallest criminal history points of each category I..VI

    @property
    def days_per_month(self) -> float:
        """A month of a sentence in days: a twelfth of a year."""
        return self.days_per_year / 12

    def fiscal_year(self, days: int) -> int:
        """The federal fiscal year of a day number (FY2015 begins on 2014-10-01)."""
        d = dt.date.fromisoformat(iso(days))
        return d.year + (d.month >= self.fiscal_year_start_month)

    def fiscal_year_start(self, year: int) -> int:
        """First day of fiscal year ``year``."""
        return day(dt.date(year - 1, self.fiscal_year_start_month, 1))

    def fiscal_year_end(self, year: int) -> int:
        """Last day of fiscal year ``year``."""
        return self.fiscal_year_start(year + 1) - 1


@functools.cache
def conventions(directory: str | None = None) -> Conventions:
    """Read ``conventions.yaml`` from ``data/law`` (or ``directory``), once per process."""
    doc = read_yaml((Path(directory) if directory else data_dir() / "law") / "conventions.yaml")
    points = doc["criminal_history_points"]
    return Conventions(
        life_months=int(doc["life_months"]),
        days_per_year=float(doc["days_per_year"]),
        fiscal_year_start_month=int(doc["fiscal_year_start_month"]),
        chc_points=tuple(int(points[c]) for c in CATEGORIES),
    )
