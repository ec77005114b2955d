"""What a scenario does, in numbers: headline figures, release waves, breakdowns, per-person rows.

An :class:`Outcome` is computed from the engine's per-person arrays. The summary is a plain dict
(JSON-ready) so replicates and remote workers move kilobytes, not people.

Definitions (all counted over the population in custody on the snapshot date):

``eligible``
    the change lowers the person's range and a reduction is possible (see
    :mod:`simulator.model.reduction`);
``granted``
    eligible people whose motion is granted under the scenario's grant model;
``mean_reduction_months`` / ``mean_reduction_pct``
    mean cut in the term imposed among granted people, in months, and the months cut as a
    percent of the months imposed (life counted as ``life_months``, 470). The Commission's
    2014 figures follow the same identity: 25 months is 18.8% of 133, leaving 108;
``released_first_day``
    granted people released on the earliest-release date because their reduced release date has
    already passed (they would otherwise have been held longer);
``released_first_year``
    granted people released earlier than before, after the first day and within the following
    year;
``bed_years_saved`` / ``cost_saved_usd``
    years of imprisonment no longer served, and their cost at ``costs.per_bed_year``;
``bed_years_saved_undelayed``
    the same had there been no earliest-release date: the potential of the full reductions
    before the delay holds back the people whose reduced date has already passed.
``bed_years_saved_projected``
    the savings as a projection made on the effective day counts them (the Commission's
    method): release rules as they stood that day, no deaths or early exits, no release before
    the effective day (:func:`~simulator.model.reduction.saved_as_projected`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from simulator import lazy
from simulator.calendar import add_years, day, iso, month_index, month_label, to_datetime64
from simulator.errors import InputError
from simulator.law import CATEGORIES, DRUG_GROUPS, DRUGS, Law
from simulator.model.population import RACES, Population
from simulator.model.reduction import Reduction, first_release_day
from simulator.scenario import Scenario
from simulator.version import __version__

pd = lazy.module("pandas")

BREAKDOWNS = ("drug_type", "race", "category", "sex")


def days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Days from ``start`` to ``end`` (day numbers), per person, as ``int64``."""
    return end.astype(np.int64) - start


class Outcome:
    """Results of applying a scenario to a population.

    Attributes
    ----------
    summary : dict
        Headline figures, provenance (seed, scenario hash, version) and breakdowns.
    waves : pandas.DataFrame
        Releases by month: ``month``, ``releases`` (people released earlier than before, by new
        release month), ``baseline`` and ``scenario`` (all releases from the stock).
    people : pandas.DataFrame
        One row per person with old and new ranges, terms and release dates.
    """

    def __init__(
        self, population: Population, scenario: Scenario, reduction: Reduction, law: Law
    ) -> None:
        self.population = population
        self.scenario = scenario
        self.reduction = reduction
        self.law = law
        r = scenario.retroactivity
        self.effective = day(r.effective)
        earliest = day(r.earliest_release) if r.earliest_release else None
        self.first_day = first_release_day(self.effective, earliest)

    # ------------------------------------------------------------------ per person
    @cached_property
    def moved(self) -> np.ndarray:
        """Mask of people released earlier than they would have been."""
        return self.reduction.release < self.population.release_date

    @cached_property
    def people(self) -> pd.DataFrame:
        """Per-person results (one row per person in the population)."""
        pop, red = self.population, self.reduction
        df = pop.to_frame()
        df["old_level"], df["new_level"] = red.old.level, red.new.level
        df["old_range_min"], df["old_range_max"] = red.old.range_min, red.old.range_max
        df["new_range_min"], df["new_range_max"] = red.new.range_min, red.new.range_max
        df["floor"] = red.old.floor
        df["eligible"], df["granted"] = red.eligible, red.granted
        df["full_reduction_term"] = np.where(red.eligible, red.reduced_term, pop.term)
        df["new_term"] = red.term
        df["new_release_date"] = to_datetime64(red.release)
        df["days_earlier"] = pop.release_date.astype(np.int64) - red.release
        return df

    # ------------------------------------------------------------------ headline
    @cached_property
    def summary(self) -> dict:
        """Headline figures as a JSON-ready dict."""
        pop, red = self.population, self.reduction
        g = red.granted
        cut = (pop.term.astype(np.float64) - red.term)[g]
        imposed = pop.term[g].astype(np.float64)
        first = self.moved & (red.release == self.first_day)
        year_end = add_years(self.first_day, 1)
        first_year = self.moved & (red.release > self.first_day) & (red.release <= year_end)
        # whole days summed as integers, then divided: exact in any order or chunking
        per_year = self.law.conventions.days_per_year
        bed_years = float(days_between(red.release, pop.release_date).sum() / per_year)
        undelayed = float(days_between(red.release_undelayed, pop.release_date).sum() / per_year)
        projected = float(red.saved_as_projected.astype(np.int64).sum() / per_year)
        out = {
            "scenario": self.scenario.title,
            "population": len(pop),
            "eligible": int(red.eligible.sum()),
            "granted": int(g.sum()),
            "mean_reduction_months": round(float(cut.mean()), 2) if g.any() else 0.0,
            "mean_reduction_pct": round(100.0 * cut.sum() / imposed.sum(), 2) if g.any() else 0.0,
            "mean_term_before_months": round(float(pop.term[g].mean()), 1) if g.any() else 0.0,
            "released_first_day": int(first.sum()),
            "released_first_year": int(first_year.sum()),
            "first_release_date": iso(self.first_day),
            "bed_years_saved": round(bed_years, 1),
            "cost_saved_usd": round(bed_years * self.scenario.costs.per_bed_year, 0),
            "bed_years_saved_undelayed": round(undelayed, 1),
            "bed_years_saved_projected": round(projected, 1),
            "seed": pop.meta.get("seed"),
            "size": pop.meta.get("size"),
            "snapshot": pop.meta.get("snapshot"),
            "scenario_sha256": self.scenario.sha256(),
            "version": __version__,
            "waves": [
                {"month": str(m), "releases": int(n)}
                for m, n in zip(
                    self.wave_counts["month"], self.wave_counts["releases"], strict=True
                )
            ],
            "breakdowns": {k: self.breakdown_records(k) for k in BREAKDOWNS},
            **self.reduction.details,  # figures particular to some change types
        }
        return out

    # ------------------------------------------------------------------ waves
    @cached_property
    def wave_counts(self) -> dict[str, np.ndarray]:
        """Releases by month (see :attr:`waves`) as numpy arrays."""
        start = month_index(np.array([self.effective]))[0]
        n_months = 12 * self.scenario.outputs.wave_years + (
            month_index(np.array([self.first_day]))[0] - start
        )
        months = np.arange(start, start + n_months)

        def count(release: np.ndarray) -> np.ndarray:
            idx = month_index(release) - start
            idx = idx[(idx >= 0) & (idx < n_months)]
            return np.bincount(idx, minlength=n_months)

        return {
            "month": month_label(months, is_month=True),
            "releases": count(self.reduction.release[self.moved]),
            "baseline": count(self.population.release_date),
            "scenario": count(self.reduction.release),
        }

    @property
    def waves(self) -> pd.DataFrame:
        """Releases by month from the effective date for ``outputs.wave_years`` years."""
        return pd.DataFrame(self.wave_counts)

    # ------------------------------------------------------------------ breakdowns
    def groups(self, by: str) -> tuple[np.ndarray, list[str]]:
        """Group code of each person and the group names, for a breakdown.

        ``by`` is one of ``drug_type, race, category, sex``.
        """
        pop = self.population
        if by == "drug_type":
            names = sorted(set(DRUG_GROUPS.values()))
            codes = np.array([names.index(DRUG_GROUPS[d]) for d in DRUGS])[pop.drug]
            return codes, names
        if by == "race":
            return pop.race, list(RACES)
        if by == "category":
            return pop.category(), list(CATEGORIES)
        if by == "sex":
            return pop.female.astype(np.int8), ["male", "female"]
        raise InputError(f"unknown breakdown {by!r}; choose from {', '.join(BREAKDOWNS)}")

    def breakdown_columns(self, by: str) -> dict[str, np.ndarray | list[str]]:
        """Population, eligible, granted, mean reduction and bed-years saved by group."""
        pop, red = self.population, self.reduction
        codes, names = self.groups(by)
        k = len(names)

        pairs = np.asarray(codes, dtype=np.intp) * 2

        def total(weights: np.ndarray | None = None) -> np.ndarray:
            if weights is not None and weights.dtype == bool:  # integer counts, no float copy
                return np.bincount(pairs + weights, minlength=2 * k)[1::2]
            return np.bincount(codes, weights=weights, minlength=k)

        people, eligible, granted = total(), total(red.eligible), total(red.granted)
        cut = total(np.where(red.granted, pop.term.astype(np.float64) - red.term, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                by: names,
                "population": people.astype(np.int64),
                "eligible": eligible.astype(np.int64),
                "granted": granted.astype(np.int64),
                "mean_reduction_months": np.round(cut / granted, 2),
                "bed_years_saved": np.round(
                    total(days_between(red.release, pop.release_date))
                    / self.law.conventions.days_per_year,
                    2,
                ),
                "eligible_pct": np.round(100.0 * eligible / people, 2),
            }

    def breakdown_records(self, by: str) -> list[dict]:
        """A breakdown as JSON-ready records (``None`` where a group has nobody to average)."""
        cols = self.breakdown_columns(by)

        def plain(v: object) -> object:
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.floating):
                return None if np.isnan(v) else float(v)
            return v

        return [{c: plain(cols[c][i]) for c in cols} for i in range(len(cols[by]))]

    def breakdown(self, by: str) -> pd.DataFrame:
        """A breakdown as a DataFrame indexed by group."""
        return pd.DataFrame(self.breakdown_columns(by)).set_index(by)


def lookup(summary: dict, key: str) -> float:
    """A figure of a summary by dotted key (list items by index or by their ``change`` label).

    Examples
    --------
    >>> lookup({"a": [{"change": "x", "n": 3}]}, "a.x.n"), lookup({"a": {"b": 2}}, "a.b")
    (3.0, 2.0)
    """
    node: Any = summary
    for part in key.split("."):
        if isinstance(node, list):
            if part.isdigit():
                node = node[int(part)]
            else:
                node = next(item for item in node if item.get("change") == part)
        else:
            node = node[part]
    return float(node)


def is_count(key: str) -> bool:
    """Whether a summary figure is a count (it scales with the population's size).

    A figure is a mean, a median, a share or a percentage when any part of its key names one
    (``motions.granted_share_by.2015-07-24`` is a share on a date).

    Examples
    --------
    >>> is_count("eligible"), is_count("mean_reduction_pct"), is_count("clemency.life_share")
    (True, False, False)
    >>> is_count("motions.decided_by.2015-07-24"), is_count("motions.granted_share_by.2015-07-24")
    (True, False)
    """
    return not any(
        part.startswith(("mean_", "median_")) or part.endswith(("_share", "_pct", "_share_by"))
        for part in key.split(".")
    )
