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

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from simulator.calendar import NEVER
from simulator.law.codes import DRUGS
from simulator.law.conventions import Conventions
from simulator.law.firearms import Firearms
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
    #: int8 [n_editions]: the edition whose powder cocaine table scored cocaine beside each
    #: edition's crack table (its own, or the one in force when it took effect); editions
    #: appended later (derived ratio tables) hold both and are their own
    powder_edition: np.ndarray
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
    #: §4C1.1(a)'s conditions: (clause, label, case column or None, excluded above, why not
    #: modeled), as ``criminal_history.yaml`` lists them
    zero_point_conditions: tuple[tuple[str, str, str | None, int, str], ...]
    one_point_max: int  # §4A1.1(c): points counted from 1-point sentences, at most
    lesser_max: tuple  # ((drug code, below grams, (max by priors 0, 1, 2+)), ...): §841(b)(1)(D)
    rdap_from: np.ndarray  # int32 [n_rules]: day each RDAP reduction rule starts
    rdap_max_term: np.ndarray  # int16 [n_rules, K]: the longest term of each step (ascending)
    rdap_months: np.ndarray  # int16 [n_rules, K]: months off for terms up to that step
    rdap_excluded: tuple[str, ...]  # population columns that exclude (28 C.F.R. §550.55(b))
    ftc: dict  # First Step Act time credits: earned_from, applied_from (days), rate, max_days,
    # excluded (18 U.S.C. §3632(d)(4), §3624(g)(3))
    safety_valve: SafetyValve  # 18 U.S.C. §3553(f), USSG §5C1.2 and §2D1.1(b), by period
    firearms: Firearms  # 18 U.S.C. §924(c) consecutive terms, by period

    @property
    def life_months(self) -> int:
        """A life sentence, in months (``conventions.yaml``)."""
        return self.conventions.life_months

    def with_life_months(self, months: int) -> Law:
        """The same law with life counted as ``months`` wherever a table holds life.

        Every cell that holds life (the sentencing table's tops and bottoms, mandatory floors
        and maxima, the career-offender table, the lower maxima) is rewritten, and the
        conventions say so, so every lookup and every sum ranks and counts life as ``months``.
        No table holds a term of years equal to the life code (the longest is 480 months, the
        five-year tier's maximum), so only life cells change.

        Examples
        --------
        >>> from simulator.law import load_law
        >>> law = load_law()
        >>> longer = law.with_life_months(600)
        >>> lo, hi = longer.guideline_range(np.array([43]), np.array([0]))
        >>> int(lo[0]), int(hi[0]), longer.life_months
        (600, 600, 600)
        >>> law.with_life_months(law.life_months) is law
        True
        """
        old = self.life_months
        if int(months) == old:
            return self

        def counted(a: np.ndarray) -> np.ndarray:
            return np.where(a == old, months, a).astype(a.dtype)

        return dataclasses.replace(
            self,
            conventions=dataclasses.replace(self.conventions, life_months=int(months)),
            range_min=counted(self.range_min),
            range_max=counted(self.range_max),
            penalty_floor=counted(self.penalty_floor),
            penalty_max=counted(self.penalty_max),
            career_max_months=counted(self.career_max_months),
            lesser_max=tuple(
                (drug, below, tuple(months if m == old else m for m in caps))
                for drug, below, caps in self.lesser_max
            ),
        )

    def release_rules_as_of(self, on: int) -> Law:
        """The same law with only the release rules enacted by day ``on``.

        A projection made on ``on`` (such as the Commission's estimate of the bed-years a
        retroactive change saves) computes release dates under the good-conduct-time and RDAP
        rules in force that day, and without First Step Act time credits if they were not yet
        law: later rules (the 2019 correction to 54 days a year, time credits) are dropped.
        The first rule of each kind is always kept, since it covers the days before it.

        Examples
        --------
        >>> from simulator.calendar import day, iso
        >>> from simulator.law import load_law
        >>> law = load_law()
        >>> then = law.release_rules_as_of(day("2014-07-18"))
        >>> then.gct_days_per_year.tolist(), law.gct_days_per_year.tolist()
        ([47.0], [47.0, 54.0])
        >>> start, term = np.array([day("2012-01-01")]), np.array([120])
        >>> iso(law.release_day(start, term, np.zeros(1))[0])
        '2020-07-10'
        >>> iso(then.release_day(start, term, np.zeros(1))[0])
        '2020-09-18'
        """
        gct = max(1, int(np.searchsorted(self.gct_from, on, side="right")))
        rdap = max(1, int(np.searchsorted(self.rdap_from, on, side="right")))
        ftc = dict(self.ftc)
        if int(ftc["earned_from"]) > on:
            ftc["applied_from"] = NEVER  # never applied
        return dataclasses.replace(
            self,
            gct_from=self.gct_from[:gct],
            gct_days_per_year=self.gct_days_per_year[:gct],
            rdap_from=self.rdap_from[:rdap],
            rdap_max_term=self.rdap_max_term[:rdap],
            rdap_months=self.rdap_months[:rdap],
            ftc=ftc,
        )

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
        cell = np.asarray(drug, dtype=np.intp) * self.edition_from.shape[1]
        cell += _period(drug, when, self.edition_from)
        return self.edition_of.reshape(-1).take(cell)

    def base_offense_level(
        self, drug: np.ndarray, grams: np.ndarray, edition: np.ndarray
    ) -> np.ndarray:
        """Base offense level from drug, quantity and Drug Quantity Table edition (§2D1.1(c)).

        The level index is the number of thresholds of the person's row (edition × scoring
        table) the quantity reaches. A row's thresholds only grow, so that number is found by
        a binary search, the same for everyone: a handful of gathers and comparisons per
        person instead of one per threshold (the very comparisons ``qty >= threshold``).
        """
        drug = np.asarray(drug)
        row = np.asarray(edition, dtype=np.intp) * self.dqt_thresholds.shape[1]
        row += self.table_drug[drug]
        qty = np.asarray(grams, dtype=np.float64) * self.table_factor[drug]
        flat, width = self._threshold_rows
        # below the first threshold scores the first row's level: the search starts past it
        at = row * width
        step = width // 2
        while step:  # ``at`` ends on the first threshold not reached among the first width - 1
            at += step * (flat.take(at + (step - 1)) <= qty)
            step //= 2
        k = at - row * width
        k += flat.take(at) <= qty  # and the last one
        return self.dqt_levels.reshape(-1)[row * self.dqt_thresholds.shape[2] + k]

    def converted_weight(
        self, drug: np.ndarray, grams: np.ndarray, edition: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """Grams of marijuana each quantity counts as when drugs are combined (§2D1.1 n.8).

        USSG §2D1.1, Application Note 8(B) and (D): several drugs are scored together by
        converting each to its marijuana equivalent ("converted drug weight" since 2018) and
        adding them. The factors are ``data/law/drug_equivalency.yaml``'s, except for cocaine
        base, whose factor follows its table: cocaine's factor times the ratio of the powder
        and crack quantities that reach the crack quantity's own ``level`` in ``edition`` (and
        the powder table beside it). This gives the Drug Equivalency Table's 20 kg (100:1,
        until 2007) and 3,571 g (18:1, from 2010) exactly, a ratio's own factor for a derived
        ratio table, and the level-by-level factors of Amendments 706 and 715 (2007-2010)
        approximately.

        Examples
        --------
        >>> from simulator.law import DRUGS, load_law
        >>> law = load_law()
        >>> crack = np.array([DRUGS.index("cocaine_base")] * 2)
        >>> editions = np.array([law.edition_index("1987"), law.edition_index("2011")])
        >>> law.converted_weight(crack, np.array([1.0, 1.0]), editions,
        ...                      np.array([32, 32])).round().tolist()
        [20000.0, 3571.0]
        """
        drug = np.asarray(drug, dtype=np.intp)
        grams = np.asarray(grams, dtype=np.float64)
        out = grams * self.marijuana_factors[drug]
        at = np.flatnonzero(drug == DRUGS.index("cocaine_base"))
        if len(at):  # powder's factor times the table's ratio at the crack quantity's level
            ratio = self._crack_ratio[np.asarray(edition)[at], np.asarray(level)[at]]
            out[at] = grams[at] * self.marijuana_factors[DRUGS.index("cocaine")] * ratio
        return out

    @functools.cached_property
    def marijuana_factors(self) -> np.ndarray:
        """Marijuana grams per gram of each drug of DRUGS (``drug_equivalency.yaml``).

        Cocaine base at the file's 18:1 factor; :meth:`converted_weight` follows its table.

        Examples
        --------
        >>> from simulator.law import load_law
        >>> load_law().marijuana_factors.tolist()[:3]   # heroin, cocaine, cocaine base
        [1000.0, 200.0, 3571.0]
        """
        return np.array([float(self.equivalency[d]) for d in DRUGS])

    @functools.cached_property
    def _crack_ratio(self) -> np.ndarray:
        """Powder grams per crack gram reaching each level, by edition: [n_editions, levels]."""
        crack, powder = DRUGS.index("cocaine_base"), DRUGS.index("cocaine")
        top = int(self.dqt_levels.max()) + 1
        out = np.ones((len(self.editions), top))
        for e in range(len(self.editions)):
            pe = int(self.powder_edition[e]) if e < len(self.powder_edition) else e
            c_thr, c_lev = self.dqt_thresholds[e, crack], self.dqt_levels[e, crack]
            p_thr, p_lev = self.dqt_thresholds[pe, powder], self.dqt_levels[pe, powder]
            pairs = [
                (int(lv), p_thr[p_lev == lv][0] / t)
                for t, lv in zip(c_thr, c_lev, strict=True)
                if np.isfinite(t) and t > 0 and (p_lev == lv).any()
            ]
            if not pairs:  # the edition has no crack table
                continue
            levels, ratios = zip(*sorted(pairs), strict=True)
            # levels between or beyond the listed ones take the nearest listed level's ratio
            idx = np.clip(np.searchsorted(levels, np.arange(top)), 0, len(levels) - 1)
            out[e] = np.asarray(ratios)[idx]
        return out

    def grouped_base_level(
        self,
        drug: np.ndarray,
        grams: np.ndarray,
        edition: np.ndarray,
        drug2: np.ndarray,
        grams2: np.ndarray,
        edition2: np.ndarray,
    ) -> np.ndarray:
        """Base offense level of an offense with up to two drugs (USSG §3D1.2(d), §2D1.1 n.8).

        Counts of drug trafficking are grouped and their quantities aggregated (§3D1.2(d),
        §1B1.3(a)(2)); different drugs are added as converted weights
        (:meth:`converted_weight`). The sum is scored in the first drug's table, expressed
        in grams of that drug, and the level is never below either drug's own level. ``drug2``
        is ``-1`` where there is no second drug (those keep :meth:`base_offense_level`).

        Examples
        --------
        >>> from simulator.law import DRUGS, load_law
        >>> law = load_law()
        >>> ed = np.array([law.edition_index("2014")])
        >>> coke = np.array([DRUGS.index("cocaine")])
        >>> crack = np.array([DRUGS.index("cocaine_base")])
        >>> int(law.base_offense_level(coke, np.array([400.0]), ed)[0])
        22
        >>> int(law.grouped_base_level(coke, np.array([400.0]), ed,   # 28 g of crack counts
        ...                            crack, np.array([28.0]), ed)[0])   # as 500 g: 900 g
        24
        """
        level = self.base_offense_level(drug, grams, edition)
        at = np.flatnonzero(np.asarray(drug2) >= 0)
        if not len(at):
            return level
        d1, g1, e1 = (np.asarray(x)[at] for x in (drug, grams, edition))
        d2, g2, e2 = (np.asarray(x)[at] for x in (drug2, grams2, edition2))
        l1 = level[at]
        l2 = self.base_offense_level(d2, g2, e2)
        per_gram = self.converted_weight(d1, np.ones(len(at)), e1, l1)
        total = self.converted_weight(d1, g1, e1, l1) + self.converted_weight(d2, g2, e2, l2)
        combined = self.base_offense_level(d1, total / per_gram, e1)
        out = level.copy()
        out[at] = np.maximum(combined, np.maximum(l1, l2))
        return out

    @functools.cached_property
    def _threshold_rows(self) -> tuple[np.ndarray, int]:
        """Each row's thresholds past the first, padded with +inf to a power of two, flattened.

        ``qty >= inf`` only for an infinite quantity, as for the thresholds a row lacks (inf).
        """
        n_editions, n_tables, width = self.dqt_thresholds.shape
        rows = self.dqt_thresholds.reshape(n_editions * n_tables, width)[:, 1:]
        padded = 1 << max(0, (rows.shape[1] - 1).bit_length())
        out = np.full((rows.shape[0], padded), np.inf)
        out[:, : rows.shape[1]] = rows
        if not (rows[:, 1:] >= rows[:, :-1]).all():  # what the search relies on (no NaN)
            raise ValueError("Drug Quantity Table thresholds must not fall along a row")
        return out.reshape(-1), padded

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
        return self.tier_reached(grams, *self.mandatory_thresholds(drug, when))

    @staticmethod
    def tier_reached(grams: np.ndarray, five: np.ndarray, ten: np.ndarray) -> np.ndarray:
        """The tier (0, 5 or 10 years) quantities reach given the 5- and 10-year thresholds.

        Examples
        --------
        >>> Law.tier_reached(np.array([10.0, 30.0, 300.0]), 28.0, 280.0).tolist()
        [0, 5, 10]
        """
        return np.maximum(np.int8(5) * (grams >= five), np.int8(10) * (grams >= ten))

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
        drug, grams, tier, priors = (np.asarray(x) for x in (drug, grams, tier, priors))
        shape = np.broadcast_shapes(*(np.shape(x) for x in (drug, grams, tier, priors, maximum)))
        out = np.array(np.broadcast_to(maximum, shape))  # a copy, one value a person
        flat, priors = out.reshape(-1), np.broadcast_to(priors, shape).reshape(-1)
        for code, below, caps in self.lesser_max:  # capped where it applies (a subset)
            hit = (drug == code) & (grams < below) & (tier == 0)
            at = np.flatnonzero(np.broadcast_to(hit, shape))
            cap = np.asarray(caps, dtype=out.dtype)[np.clip(priors[at], 0, 2)]
            flat[at] = np.minimum(flat[at], cap)
        return out

    def grouped_tier(
        self,
        drug: np.ndarray,
        grams: np.ndarray,
        drug2: np.ndarray,
        grams2: np.ndarray,
        when: np.ndarray,
    ) -> np.ndarray:
        """Highest statutory tier either drug's quantity reaches on day ``when`` (§841(b)(1)).

        Each count carries its own penalty: the quantities of different drugs are not added
        for the statute (unlike the guidelines). ``drug2`` is ``-1`` where there is none.

        Examples
        --------
        >>> from simulator.calendar import day
        >>> from simulator.law import DRUGS, load_law
        >>> law = load_law()
        >>> coke, crack = DRUGS.index("cocaine"), DRUGS.index("cocaine_base")
        >>> law.grouped_tier(np.array([coke, coke]), np.array([400.0, 400.0]),
        ...                  np.array([crack, -1]), np.array([30.0, 0.0]),
        ...                  np.full(2, day("2015-01-01"))).tolist()
        [5, 0]
        """
        tier = self.mandatory_tier(drug, grams, when)
        return _higher_with_second(
            tier, drug2, lambda at, d2: self.mandatory_tier(
                d2, np.asarray(grams2)[at], np.broadcast_to(when, tier.shape)[at]
            ),
        )  # fmt: skip

    def grouped_maximum(
        self,
        drug: np.ndarray,
        grams: np.ndarray,
        drug2: np.ndarray,
        grams2: np.ndarray,
        tier: np.ndarray,
        priors: np.ndarray,
        maximum: np.ndarray,
    ) -> np.ndarray:
        """The statutory maximum of the counts: the higher of each drug's (:meth:`lower_maximum`).

        A small quantity of marijuana caps its own count (§841(b)(1)(D)), not a count of
        another drug beside it. ``drug2`` is ``-1`` where there is none.
        """
        out = self.lower_maximum(drug, grams, tier, priors, maximum)
        shape = out.shape

        def second(at: np.ndarray, d2: np.ndarray) -> np.ndarray:
            return self.lower_maximum(
                d2, np.asarray(grams2)[at], np.broadcast_to(tier, shape)[at],
                np.broadcast_to(priors, shape)[at], np.broadcast_to(maximum, shape)[at],
            )  # fmt: skip

        return _higher_with_second(out, drug2, second)

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
        rescored = (when >= start) & (status_points > 0)
        if not rescored.any():  # no status points under the rule: the points as they are
            return np.broadcast_to(chp, np.broadcast_shapes(rescored.shape, chp.shape)).astype(
                np.int8
            )
        other = chp.astype(np.int16) - status_points
        scored = other + np.where(other >= min_other, np.int16(kept), np.int16(0))
        return np.where(rescored, scored, chp).astype(np.int8)

    def zero_point_failed(self, cases: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per condition of §4C1.1(a) the population can carry, who fails it (by clause).

        A condition fails when its column is above its bound (``criminal_history.yaml``):
        criminal history points as scored at sentencing, a weapon, an aggravating role, an
        offense-conduct exclusion drawn in synthesis. Conditions no column carries are absent.
        """
        return {
            clause: np.asarray(cases[column]).astype(np.int16) > above
            for clause, _, column, above, _ in self.zero_point_conditions
            if column is not None
        }

    def zero_point_offender(self, cases: Mapping[str, np.ndarray]) -> np.ndarray:
        """Who meets every condition of §4C1.1(a) that the population carries."""
        ok = np.ones(len(cases["chp"]), dtype=bool)
        for failed in self.zero_point_failed(cases).values():
            ok &= ~failed
        return ok

    def zero_point_levels(self, cases: Mapping[str, np.ndarray], when: np.ndarray) -> np.ndarray:
        """The §4C1.1 decrease of each sentence imposed on ``when`` (0 before the rule)."""
        start, levels = self.zero_point_rule
        after = np.asarray(when >= start)
        if not after.any():  # every sentence before the rule
            return np.zeros(np.broadcast_shapes(after.shape, (len(cases["chp"]),)), np.int16)
        zero = after & self.zero_point_offender(cases)
        return np.where(zero, np.int16(levels), np.int16(0))

    def release_day(
        self,
        start: np.ndarray,
        term: np.ndarray,
        infractions: np.ndarray,
        rdap: np.ndarray | None = None,
        ftc: np.ndarray | None = None,
        rdap_term: np.ndarray | None = None,
    ) -> np.ndarray:
        """Projected release day: the term less good-conduct time, RDAP and time credits.

        Good-conduct time follows the rule in force: a release that falls on or after a later
        rule's start date is recomputed under that rule, but not to a day before the rule began
        (as the Bureau of Prisons did for everyone in custody on 2019-07-19). Terms of
        ``gct_min_term`` months or less, and life, earn none. Life is served as
        ``life_months`` (the Commission's convention). People flagged ``rdap`` (they complete
        the Residential Drug Abuse Program and qualify) leave :meth:`rdap_reduction` months
        earlier, never before that rule began nor before custody began; the months follow
        ``rdap_term`` when given (the term the Bureau's determination was made on, kept when a
        change later lowers the term, so that a lower term never means a later release across
        the steps of 28 C.F.R. §550.55(c)). People flagged ``ftc``
        (they earn and may apply First Step Act time credits) then leave as
        :meth:`time_credit_release` says.

        Examples
        --------
        >>> from simulator.calendar import day, iso
        >>> from simulator.law import load_law
        >>> law = load_law()
        >>> s = np.array([day("2010-01-01")] * 2)
        >>> [iso(d) for d in law.release_day(s, np.array([120, 120]), np.zeros(2),
        ...                                  rdap=np.array([False, True]))]
        ['2018-09-19', '2017-09-19']
        """
        start = np.asarray(start, dtype=np.int64)
        shape = np.broadcast_shapes(np.shape(start), np.shape(term), np.shape(infractions))
        term_days = np.asarray(term, dtype=np.float64) * self.conventions.days_per_month
        earns = (term > self.gct_min_term) & (term < self.life_months)
        lost = np.asarray(infractions, dtype=np.float64) * self.gct_days_lost_per_infraction

        def served(
            first: np.ndarray, days: np.ndarray, earning: np.ndarray, lost_days: np.ndarray,
            per_year: float,
        ) -> np.ndarray:  # fmt: skip
            """The day custody ends with ``per_year`` days of credit a year (int64)."""
            credit = days * per_year
            credit /= self.gct_days_per_term_year
            credit -= lost_days
            np.maximum(credit, 0.0, out=credit)
            credit *= earning  # no credit for short terms and life
            np.subtract(days, credit, out=credit)
            return first + np.ceil(credit, out=credit).astype(np.int64)

        # one value a person (at least one dimension, for the subsets below; shape restored)
        by_person = [np.atleast_1d(x) for x in np.broadcast_arrays(start, term_days, earns, lost)]
        start = by_person[0]
        out = served(*by_person, self.gct_days_per_year[0])
        # a later rule recomputes the releases on or after its start (a subset, then put back)
        for rule_start, per_year in zip(self.gct_from[1:], self.gct_days_per_year[1:], strict=True):
            at = np.flatnonzero(out >= rule_start)
            again = served(*(x[at] for x in by_person), per_year)
            out[at] = np.maximum(again, rule_start)
        # the early releases work on the few people they concern (a subset, then put back)
        rule_start = self.rdap_from[0]
        if rdap is not None:
            at = np.flatnonzero(np.asarray(rdap, dtype=bool) & (out > rule_start))
            basis = np.asarray(term if rdap_term is None else rdap_term)
            months = self.rdap_reduction(basis[at], out[at])
            early = out[at] - np.rint(months * self.conventions.days_per_month).astype(np.int64)
            early = np.maximum(np.maximum(early, rule_start), start[at] + 1)
            out[at] = np.where(months > 0, np.minimum(early, out[at]), out[at])
        if ftc is not None:
            credits = np.asarray(ftc, dtype=bool) & (np.asarray(term) < self.life_months)
            at = np.flatnonzero(credits & (out > self.ftc["applied_from"]))
            out[at] = self.time_credit_release(start[at], out[at])
        return out.astype(np.int32).reshape(shape)

    def time_credit_release(self, start: np.ndarray, release: np.ndarray) -> np.ndarray:
        """The release a prisoner's First Step Act time credits advance ``release`` to.

        Credits accrue at ``rate`` days a day from ``earned_from`` (or the custody start, if
        later); up to ``max_days`` of them advance the release (18 U.S.C. §3624(g)(3)), so the
        new day *r'* solves ``r' = release - min(max_days, rate (r' - s0))``:
        ``r' = max(release - max_days, (release + rate s0) / (1 + rate))``, rounded up. The
        Bureau applied them from ``applied_from``: no release moves before that day, and one
        due before it is not moved.

        Examples
        --------
        >>> from simulator.calendar import day, iso
        >>> from simulator.law import load_law
        >>> law = load_law()
        >>> start = np.array([day("2015-01-01")] * 3)
        >>> due = np.array([day("2025-01-01"), day("2022-06-01"), day("2021-06-01")])
        >>> [iso(d) for d in law.time_credit_release(start, due)]
        ['2024-01-02', '2022-01-13', '2021-06-01']
        """
        f = self.ftc
        rate, cap = float(f["rate"]), float(f["max_days"])
        release = np.asarray(release, dtype=np.int64)
        s0 = np.maximum(np.asarray(start, dtype=np.int64), int(f["earned_from"]))
        solved = np.maximum(release - cap, (release + rate * s0) / (1.0 + rate))
        moved = np.maximum(np.ceil(solved).astype(np.int64), int(f["applied_from"]))
        moved = np.maximum(moved, np.asarray(start, dtype=np.int64) + 1)
        due = (release > int(f["applied_from"])) & (release > s0)
        return np.where(due, np.minimum(moved, release), release)

    def rdap_reduction(self, term: np.ndarray, on: np.ndarray) -> np.ndarray:
        """Months of early release after RDAP for a term, under the rule in force on ``on``.

        18 U.S.C. §3621(e)(2)(B): at most one year; from 2009-03-16 by the term imposed
        (28 C.F.R. §550.55(c)). 0 before the first rule and for life terms.

        Examples
        --------
        >>> from simulator.calendar import day
        >>> from simulator.law import load_law
        >>> law = load_law()
        >>> law.rdap_reduction(np.array([24, 33, 60, 60, 470]),
        ...                    np.array([day("2012-01-01")] * 3 + [day("2000-01-01")] * 2)).tolist()
        [6, 9, 12, 12, 0]
        """
        on = np.asarray(on)
        rule = np.searchsorted(self.rdap_from, on, side="right") - 1
        known = rule >= 0
        rule = np.maximum(rule, 0)
        term = np.asarray(term)
        tops = self.rdap_max_term[rule]
        step = np.zeros(term.shape, dtype=np.intp)
        for k in range(tops.shape[-1] - 1):  # the steps of a rule: a handful of columns
            step += term > tops[..., k]
        months = self.rdap_months[rule, step]
        return np.where(known & (term < self.life_months), months, 0).astype(np.int16)


def _higher_with_second(
    first: np.ndarray, drug2: np.ndarray, second: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """``first``, raised to ``second(at, drug2[at])`` for the people ``at`` with a second drug."""
    at = np.flatnonzero(np.asarray(drug2) >= 0)
    if not len(at):
        return first
    out = first.copy()
    out[at] = np.maximum(out[at], second(at, np.asarray(drug2)[at]))
    return out


def _period(drug: np.ndarray, when: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per person, the index of the period of the person's drug in force on ``when``.

    Before a drug's first period the first applies. ``starts`` is padded with the largest day,
    which no date reaches, so counting the starts already reached gives the period.
    """
    drug, when = np.asarray(drug, dtype=np.intp), np.asarray(when)
    out = np.zeros(drug.shape, dtype=np.intp)
    for j in range(1, starts.shape[1]):
        out += when >= np.ascontiguousarray(starts[:, j]).take(drug)
    return out
