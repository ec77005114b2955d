"""The safety valve as the law changed: who is relieved of a minimum, what the guidelines give.

Read from ``data/law/safety_valve.yaml`` (which names every source and assumption) into arrays of
periods, and looked up by the day a sentence was imposed:

* ``statute``: the criminal history that 18 U.S.C. §3553(f)(1) allows (1 point from 1994-09-23;
  the First Step Act's three conditions from 2018-12-21, each required as Pulsifer v. United
  States (2024) reads them);
* ``guideline``: the same criteria as USSG §5C1.2(a)(1) words them (the one-point wording until
  Amendment 817, 2023-11-01), which the two-level reduction and the level floor read;
* ``reduction``: the levels of USSG §2D1.1(b) (from 1995-11-01, at first only from level 26);
* ``level_floor``: USSG §5C1.2(b)'s minimum offense level when the statutory minimum is five
  years or more.

Examples
--------
>>> from simulator.calendar import day
>>> from simulator.law import load_law
>>> sv = load_law().safety_valve
>>> when = np.array([day("2010-01-01"), day("2020-01-01")])
>>> four_one_point = dict(chp=np.array([4, 4]), one_point=np.array([4, 4]),
...                       prior_3pt=np.array([False, False]),
...                       prior_2pt_violent=np.array([False, False]))
>>> sv.statute.met(**four_one_point, when=when).tolist()   # 1 point then; 4 of 1-point offenses
[False, True]
>>> sv.reduction(np.array([day("1996-01-01"), day("2005-01-01")]), np.array([24, 24])).tolist()
[0, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A cap that no count of points reaches (a condition the period does not have).
NO_CAP = 127


def _period(starts: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Index of the period in force on each day (the first period before every start).

    The count of later starts (ascending) reached: a pass per start, for the handful of
    periods a rule has (faster than a binary search per day).
    """
    when = np.asarray(when)
    out = np.zeros(when.shape, dtype=np.intp)
    for start in starts[1:]:
        out += when >= start
    return out


@dataclass(frozen=True)
class HistoryRule:
    """Criminal-history condition of the safety valve, by period (arrays of equal length).

    ``max_points`` caps the points in total, ``max_without_one_point`` the points left when those
    of 1-point offenses are taken out (:data:`NO_CAP`: no such condition); ``bars_three_point``
    and ``bars_two_point_violent`` say whether a prior 3-point offense, or a prior 2-point
    violent offense, disqualifies. ``exists`` is false where the provision did not exist.
    """

    start: np.ndarray
    exists: np.ndarray
    max_points: np.ndarray
    max_without_one_point: np.ndarray
    bars_three_point: np.ndarray
    bars_two_point_violent: np.ndarray
    text: tuple[str, ...]
    source: tuple[str, ...]

    def met(
        self,
        *,
        chp: np.ndarray,
        one_point: np.ndarray,
        prior_3pt: np.ndarray,
        prior_2pt_violent: np.ndarray,
        when: np.ndarray,
    ) -> np.ndarray:
        """Whether each person's criminal history allows the safety valve on ``when``.

        ``chp`` are the points as scored on that day; ``one_point`` those of them from 1-point
        offenses (USSG §4A1.1(c)). Every condition of the period must hold (Pulsifer).
        """
        p = _period(self.start, when)
        chp = np.asarray(chp, dtype=np.int16)
        rest = chp - np.asarray(one_point, dtype=np.int16)
        return (
            self.exists[p]
            & (chp <= self.max_points[p])
            & (rest <= self.max_without_one_point[p])
            & ~(self.bars_three_point[p] & np.asarray(prior_3pt, dtype=bool))
            & ~(self.bars_two_point_violent[p] & np.asarray(prior_2pt_violent, dtype=bool))
        )

    def points_met(self, chp: np.ndarray, when: np.ndarray) -> np.ndarray:
        """The cap on total points alone (the other conditions taken as a court found them).

        A safety valve that was applied met the statute's conditions; where the guideline's
        wording differed from the statute's (a total of at most 1 point until 2023-11-01), the
        total is what tells them apart.
        """
        p = _period(self.start, when)
        return self.exists[p] & (np.asarray(chp, dtype=np.int16) <= self.max_points[p])

    def describe(self, when: int) -> tuple[str, str]:
        """The rule in force on day ``when``, in words, and its source."""
        p = int(_period(self.start, np.array([when]))[0])
        return self.text[p], self.source[p]


@dataclass(frozen=True)
class SafetyValve:
    """Every safety-valve rule of ``data/law/safety_valve.yaml`` as arrays of periods."""

    statute: HistoryRule
    guideline: HistoryRule
    reduction_from: np.ndarray  # int32: the start of each §2D1.1(b) period
    reduction_levels: np.ndarray  # int16: levels off
    reduction_min_level: np.ndarray  # int16: only from this level determined above (0: any)
    reduction_source: tuple[str, ...]
    floor_from: np.ndarray  # int32: the start of each §5C1.2(b) period
    floor_level: np.ndarray  # int16: the minimum offense level (0: none)
    floor_min_months: np.ndarray  # int16: for a statutory minimum of at least this
    floor_source: tuple[str, ...]
    numbering_from: np.ndarray  # int32
    numbering: tuple[str, ...]  # how the Manual numbers the reduction

    def reduction(self, when: np.ndarray, level_above: np.ndarray) -> np.ndarray:
        """Levels USSG §2D1.1(b) takes off for a defendant meeting §5C1.2(a)'s criteria.

        ``level_above`` is "the offense level determined above" (base level and the specific
        offense characteristics before the reduction), which the 1995 rule required to be 26
        or more.
        """
        p = _period(self.reduction_from, when)
        ok = np.asarray(level_above) >= self.reduction_min_level[p]
        return np.where(ok, self.reduction_levels[p], np.int16(0)).astype(np.int16)

    def level_floor(self, when: np.ndarray, minimum: np.ndarray) -> np.ndarray:
        """USSG §5C1.2(b)'s minimum offense level for each case (0: none applies).

        ``minimum`` is the statutory minimum in months before the safety valve's relief.
        """
        p = _period(self.floor_from, when)
        applies = np.asarray(minimum) >= self.floor_min_months[p]
        return np.where(applies, self.floor_level[p], np.int16(0)).astype(np.int16)

    def cite(self, when: int) -> str:
        """The subsection of §2D1.1(b) that holds the reduction in the Manual of day ``when``."""
        if when < int(self.numbering_from[0]):
            return "§2D1.1(b) (none before 1995-11-01)"
        return self.numbering[int(_period(self.numbering_from, np.array([when]))[0])]

    def describe_reduction(self, when: int) -> str:
        """The §2D1.1(b) rule in force on ``when``, in words, with its source."""
        p = int(_period(self.reduction_from, np.array([when]))[0])
        levels, low = int(self.reduction_levels[p]), int(self.reduction_min_level[p])
        if not levels:
            return self.reduction_source[p]
        at = f" from level {low}" if low else ""
        return f"-{levels}{at} ({self.reduction_source[p]})"

    def describe_floor(self, when: int) -> str:
        """The §5C1.2(b) rule in force on ``when``, in words, with its source."""
        p = int(_period(self.floor_from, np.array([when]))[0])
        level = int(self.floor_level[p])
        if not level:
            return f"no level floor ({self.floor_source[p]})"
        return (
            f"at least level {level} with a minimum of {int(self.floor_min_months[p])} months "
            f"or more ({self.floor_source[p]})"
        )
