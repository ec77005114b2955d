"""The law as arrays: sentencing table, Drug Quantity Table editions, statutes, good-conduct time.

Everything here is read from ``data/law/`` (each file names its legal source) once, into numpy
arrays, and looked up **by date**: a sentence imposed on day *d* is scored with the edition of the
Drug Quantity Table in force on *d*, the statutory thresholds in force on *d*, and so on. No
threshold is written in code.

The arrays are built from the files by :func:`simulator.law.loading.load_law`.

Examples
--------
>>> from simulator.law import DRUGS, load_law
>>> law = load_law()
>>> lo, hi = law.guideline_range(np.array([32]), np.array([0]))   # level 32, category I
>>> int(lo[0]), int(hi[0])
(121, 151)
>>> ed = law.edition_index("2014")
>>> int(law.base_offense_level(np.array([DRUGS.index("cocaine_base")]), np.array([28.0]),
...                            np.array([ed]))[0])
24
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from simulator.law.codes import DRUGS
from simulator.law.conventions import Conventions
from simulator.law.safety_valve import SafetyValve


@dataclass(frozen=True)
class Law:
    """Sentencing law loaded into arrays; pure lookups, no state.

    Attributes hold the tables; the methods are vectorized lookups over arrays of people.
    """

    conventions: Conventions
    range_min: np.ndarray  # int16 [levels, categories]: level x category -> bottom, months
    range_max: np.ndarray  # int16 [levels, categories]
    chc_points: np.ndarray  # int8 [6]: smallest points of each category
    editions: tuple[str, ...]
    dqt_thresholds: np.ndarray  # float64 [n_editions, n_table_drugs, K], ascending, +inf padded
    dqt_levels: np.ndarray  # int8 [n_editions, n_table_drugs, K]
    edition_from: np.ndarray  # int32 [n_drugs, n_periods]: day each period starts (NEVER pad)
    edition_of: np.ndarray  # int8 [n_drugs, n_periods]: edition index of each period
    table_drug: np.ndarray  # int8 [n_drugs]: whose table scores the drug (own or marijuana)
    table_factor: np.ndarray  # float64 [n_drugs]: grams of the table drug per gram
    mm_from: np.ndarray  # int32 [n_drugs, n_periods]
    mm_grams: np.ndarray  # float64 [n_drugs, n_periods, 2]: 5- and 10-year thresholds (inf: none)
    penalty_from: np.ndarray  # int32 [n_periods]
    penalty_floor: np.ndarray  # int16 [n_periods, 3 tiers, 3 priors]
    penalty_max: np.ndarray  # int16 [n_periods, 3 tiers, 3 priors]
    career_max_months: np.ndarray  # int16, descending
    career_levels: np.ndarray  # int8
    adjustments: dict
    gct_from: np.ndarray  # int32 [n_rules]
    gct_days_per_year: np.ndarray  # float64 [n_rules]
    gct_min_term: int
    gct_days_lost_per_infraction: int
    gct_days_per_term_year: float  # the credit is days_per_year for each of these days of term
    equivalency: dict
    status_rule: tuple[int, int, int]  # (from day, points kept, minimum other points): §4A1.1(e)
    zero_point_rule: tuple[int, int]  # (from day, levels): §4C1.1
    one_point_max: int  # §4A1.1(c): points counted from 1-point sentences, at most
    lesser_max: tuple  # ((drug code, below grams, (max by priors 0, 1, 2+)), ...): §841(b)(1)(D)
    safety_valve: SafetyValve  # 18 U.S.C. §3553(f), USSG §5C1.2 and §2D1.1(b), by period

    @property
    def life_months(self) -> int:
        """A life sentence, in months (``conventions.yaml``)."""
        return self.conventions.life_months

    # ----------------------------------------------------------------- lookups
    def edition_index(self, name: str) -> int:
        """Index of a Drug Quantity Table edition by name."""
        if str(name) not in self.editions:
            known = ", ".join(self.editions)
            raise ValueError(f"no Drug Quantity Table edition {name!r} (editions: {known})")
        return self.editions.index(str(name))

    def has_table(self, edition: str, drug: str) -> bool:
        """Whether an edition scores a drug (directly, or through marijuana equivalents)."""
        e, d = self.edition_index(edition), DRUGS.index(drug)
        return bool(np.isfinite(self.dqt_thresholds[e, self.table_drug[d]]).any())

    def category(self, points: np.ndarray) -> np.ndarray:
        """Criminal history category index (0 = I … 5 = VI) from criminal history points."""
        return self._category_by_points[np.clip(points, 0, 127)]

    @functools.cached_property
    def _category_by_points(self) -> np.ndarray:
        """Category index for every count of points 0 … 127 (a lookup)."""
        points = np.arange(128)
        return (np.searchsorted(self.chc_points, points, side="right") - 1).astype(np.int8)

    def guideline_range(self, level: np.ndarray, category: np.ndarray) -> tuple[np.ndarray, ...]:
        """Bottom and top of the guideline range in months (life coded as ``life_months``)."""
        lowest, highest = self.adjustments["min_level"], self.adjustments["max_level"]
        cell = np.clip(level, lowest, highest).astype(np.intp) * self.range_min.shape[1] + category
        return self.range_min.reshape(-1)[cell], self.range_max.reshape(-1)[cell]

    def edition_on(self, drug: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Edition index of each person's drug table in force on ``when`` (day numbers)."""
        return self.edition_of[drug, _period(drug, when, self.edition_from)]

    def base_offense_level(
        self, drug: np.ndarray, grams: np.ndarray, edition: np.ndarray
    ) -> np.ndarray:
        """Base offense level from drug, quantity and Drug Quantity Table edition (§2D1.1(c)).

        Each person's row of thresholds (edition × scoring table) is found by one gather per
        threshold column; the level index is the number of thresholds the quantity reaches.
        """
        drug = np.asarray(drug)
        columns = self._threshold_columns
        row = np.asarray(edition, dtype=np.intp) * self.dqt_thresholds.shape[1]
        row += self.table_drug[drug]
        qty = np.asarray(grams, dtype=np.float64) * self.table_factor[drug]
        k = np.zeros(qty.shape, dtype=np.int8)
        for column in columns[1:]:  # below the first threshold scores the first row's level
            k += qty >= column.take(row)
        return self.dqt_levels.reshape(-1)[row * len(columns) + k]

    @functools.cached_property
    def _threshold_columns(self) -> np.ndarray:
        """Drug Quantity Table thresholds as [K, edition × table drug], one row per column."""
        n_editions, n_tables, width = self.dqt_thresholds.shape
        return np.ascontiguousarray(self.dqt_thresholds.reshape(n_editions * n_tables, width).T)

    def mandatory_thresholds(
        self, drug: np.ndarray, when: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Grams that reach the 5- and 10-year tiers on day ``when`` (inf: no such tier)."""
        cell = np.asarray(drug, dtype=np.intp) * self.mm_from.shape[1]
        cell += _period(drug, when, self.mm_from)
        grams = self.mm_grams.reshape(-1, 2)
        return grams[:, 0].take(cell), grams[:, 1].take(cell)

    def mandatory_tier(self, drug: np.ndarray, grams: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Highest statutory tier (0, 5 or 10 years) the quantity reaches on day ``when``."""
        five, ten = self.mandatory_thresholds(drug, when)
        return np.where(grams >= ten, 10, np.where(grams >= five, 5, 0)).astype(np.int8)

    def penalties(
        self, tier: np.ndarray, priors: np.ndarray, when: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Statutory floor and maximum in months for tier, §851 priors and date of sentencing."""
        # before the first period (1986-10-27) the earliest provisions apply, as elsewhere
        period = np.zeros(np.shape(when), dtype=np.intp)
        for start in self.penalty_from[1:]:
            period += np.asarray(when) >= start
        cell = (period * 3 + np.asarray(tier) // 5) * 3 + np.clip(priors, 0, 2)
        return self.penalty_floor.reshape(-1)[cell], self.penalty_max.reshape(-1)[cell]

    def lower_maximum(
        self,
        drug: np.ndarray,
        grams: np.ndarray,
        tier: np.ndarray,
        priors: np.ndarray,
        maximum: np.ndarray,
    ) -> np.ndarray:
        """The statutory maximum with the lower maxima of small quantities applied.

        21 U.S.C. §841(b)(1)(D): under 50 kg of marijuana without a tier, 5 years (10 after a
        prior felony drug conviction), ``data/law/mandatory_minimums.yaml`` (``lesser_maxima``).

        Examples
        --------
        >>> from simulator.law import DRUGS, load_law
        >>> law = load_law()
        >>> mj = DRUGS.index("marijuana")
        >>> law.lower_maximum(np.array([mj, mj, mj]), np.array([40e3, 60e3, 40e3]),
        ...                   np.array([0, 0, 0]), np.array([0, 0, 1]),
        ...                   np.array([240, 240, 360])).tolist()
        [60, 240, 120]
        """
        out = np.asarray(maximum).copy()
        for code, below, caps in self.lesser_max:
            hit = (np.asarray(drug) == code) & (np.asarray(grams) < below) & (np.asarray(tier) == 0)
            cap = np.asarray(caps, dtype=out.dtype)[np.clip(priors, 0, 2)]
            out = np.where(hit, np.minimum(out, cap), out)
        return out

    def career_level(self, statutory_max: np.ndarray) -> np.ndarray:
        """Career offender offense level (§4B1.1(b)) from the statutory maximum in months.

        Life (coded ``life_months``) ranks above every term of years, 40 years (480) included.
        """
        return self._career_by_max[np.asarray(statutory_max)]

    @functools.cached_property
    def _career_by_max(self) -> np.ndarray:
        """Career offender level for every int16 statutory maximum in months (a lookup)."""
        months = np.arange(np.iinfo(np.int16).max + 1, dtype=np.float64)
        months[self.life_months] = np.inf  # life
        table = np.where(
            self.career_max_months == self.life_months,
            np.inf,
            self.career_max_months.astype(np.float64),
        )
        idx = np.searchsorted(-table, -months, side="left")
        return self.career_levels[np.minimum(idx, len(self.career_levels) - 1)]

    def criminal_history_points(
        self, chp: np.ndarray, status_points: np.ndarray, when: np.ndarray
    ) -> np.ndarray:
        """Criminal history points as scored on ``when``: status points under the rule then.

        ``chp`` counts status points the old way (2 each time); from Amendment 821 a sentence
        keeps ``points`` of them only with ``min_other_points`` other points (§4A1.1(e)).
        """
        start, kept, min_other = self.status_rule
        other = chp.astype(np.int16) - status_points
        scored = other + np.where(other >= min_other, np.int16(kept), np.int16(0))
        return np.where((when >= start) & (status_points > 0), scored, chp).astype(np.int8)

    def zero_point_levels(
        self,
        chp: np.ndarray,
        weapon: np.ndarray,
        role: np.ndarray,
        excluded: np.ndarray,
        when: np.ndarray,
    ) -> np.ndarray:
        """The §4C1.1 decrease of each sentence imposed on ``when`` (0 before the rule)."""
        start, levels = self.zero_point_rule
        zero = (when >= start) & (chp == 0) & ~weapon & (role <= 0) & ~excluded
        return np.where(zero, np.int16(levels), np.int16(0))

    def release_day(
        self, start: np.ndarray, term: np.ndarray, infractions: np.ndarray
    ) -> np.ndarray:
        """Projected release day: custody start plus the term less good-conduct time.

        Good-conduct time follows the rule in force: a release that falls on or after a later
        rule's start date is recomputed under that rule, but not to a day before the rule began
        (as the Bureau of Prisons did for everyone in custody on 2019-07-19). Terms of
        ``gct_min_term`` months or less, and life, earn none. Life is served as
        ``life_months`` (the Commission's convention).
        """
        start = np.asarray(start, dtype=np.int64)
        term_days = np.asarray(term, dtype=np.float64) * self.conventions.days_per_month
        earns = (term > self.gct_min_term) & (term < self.life_months)
        lost = np.asarray(infractions, dtype=np.float64) * self.gct_days_lost_per_infraction
        out = None
        for rule_start, per_year in zip(self.gct_from, self.gct_days_per_year, strict=True):
            credit = np.where(
                earns,
                np.maximum(term_days * per_year / self.gct_days_per_term_year - lost, 0.0),
                0.0,
            )
            served = start + np.ceil(term_days - credit).astype(np.int64)
            out = (
                served
                if out is None
                else np.where(out >= rule_start, np.maximum(served, rule_start), out)
            )
        return out.astype(np.int32)


def _period(drug: np.ndarray, when: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per person, the index of the period of the person's drug in force on ``when``.

    Before a drug's first period the first applies. ``starts`` is padded with the largest day,
    which no date reaches, so counting the starts already reached gives the period.
    """
    drug, when = np.asarray(drug), np.asarray(when)
    out = np.zeros(drug.shape, dtype=np.intp)
    for j in range(1, starts.shape[1]):
        out += when >= starts[:, j][drug]
    return out
