"""Guideline arithmetic for arrays of cases: offense level, range, statutory floor, sentence.

The same functions sentence the synthetic cohorts (under the law of each sentencing date) and
re-score people under amended law in the engine, so a baseline and a reform can never disagree
about anything but the change itself.

Examples
--------
>>> import numpy as np
>>> from simulator.law import load_law, DRUGS
>>> law = load_law()
>>> cases = dict(drug=np.array([DRUGS.index("cocaine")], np.int8), grams=np.array([5000.0]),
...              weapon=np.array([False]), role=np.array([0], np.int8),
...              obstruction=np.array([False]), acceptance=np.array([True]),
...              safety_valve=np.array([False]), sub_assist=np.array([False]),
...              career=np.array([False]), chp=np.array([0], np.int8),
...              mm_charged=np.array([10], np.int8), priors_851=np.array([0], np.int8))
>>> g = guideline(law, cases, edition=np.array([law.edition_index("pre2014")]),
...               statute_day=np.array([16000]))
>>> int(g.level[0]), int(g.range_min[0]), int(g.range_max[0]), int(g.floor[0])
(29, 120, 120, 120)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from simulator.law import Law


@dataclass(frozen=True)
class Guideline:
    """A guideline calculation for each person (arrays of equal length).

    ``range_min``/``range_max`` are the applicable range after the statutory floor and maximum
    are applied (USSG §5G1.1): a floor above the whole range makes the range the floor itself.
    ``table_min``/``table_max`` are the range before the floor (but within the maximum), which
    USSG §1B1.10(c) uses for substantial-assistance cases. ``floor`` is the mandatory minimum
    that binds the sentence (0 when relief applies), ``minimum`` the one the statute sets before
    relief, ``relief`` whether the safety valve lifts it, ``points`` the criminal history
    points counted. ``safety_valve_levels`` are the levels the safety valve's reduction took
    off (USSG §2D1.1(b)), ``safety_valve_floor`` the level §5C1.2(b) raised the offense level
    of Chapters Two and Three to (0 where it did not).
    """

    level: np.ndarray
    category: np.ndarray
    range_min: np.ndarray
    range_max: np.ndarray
    floor: np.ndarray
    statutory_max: np.ndarray
    tier: np.ndarray
    table_min: np.ndarray
    table_max: np.ndarray
    minimum: np.ndarray | None = None  # the statutory minimum before any safety-valve relief
    relief: np.ndarray | None = None  # the safety valve lifts the minimum (18 U.S.C. §3553(f))
    points: np.ndarray | None = None  # criminal history points counted
    safety_valve_levels: np.ndarray | None = None  # levels off under USSG §2D1.1(b)
    safety_valve_floor: np.ndarray | None = None  # level §5C1.2(b) raised it to (0: none)


def weapon_levels(law: Law, cases: Mapping[str, np.ndarray]) -> np.ndarray:
    """Levels of the dangerous-weapon enhancement (USSG §2D1.1(b)(1)) each case gets.

    A case with a weapon gets them unless a §924(c) sentence is imposed with the drug count
    (``firearm_924c_months`` above 0): USSG §2K2.4, Application Note 4, forbids counting the
    same firearm twice. ``weapon`` still means a weapon in the offense for every rule that
    reads it (the safety valve, §4C1.1, clemency).

    Examples
    --------
    >>> from simulator.law import load_law
    >>> cases = {"weapon": np.array([True, True, False]),
    ...          "firearm_924c_months": np.array([0, 60, 0])}
    >>> weapon_levels(load_law(), cases).tolist()
    [2, 0, 0]
    """
    weapon = np.asarray(cases["weapon"], dtype=bool)
    if "firearm_924c_months" in cases:
        weapon = weapon & (np.asarray(cases["firearm_924c_months"]) <= 0)
    return np.int16(law.adjustments["weapon"]) * weapon


def drug_term(law: Law, term: np.ndarray, firearm: np.ndarray | int) -> np.ndarray:
    """The drug count's part of a total term: the term less the consecutive §924(c) months.

    A total coded as life (``law.life_months``) is life on the drug count.

    Examples
    --------
    >>> from simulator.law import load_law
    >>> drug_term(load_law(), np.array([157, 97, 470]), np.array([60, 0, 60])).tolist()
    [97, 97, 470]
    """
    term = np.asarray(term)
    life = law.life_months
    return np.where(term >= life, term, term - np.asarray(firearm)).astype(term.dtype)


def total_term(law: Law, drug: np.ndarray, firearm: np.ndarray | int) -> np.ndarray:
    """A drug term plus the consecutive §924(c) months (18 U.S.C. §924(c)(1)(D)(ii)).

    The Bureau of Prisons computes one term from both; a total of ``law.life_months`` or more
    is coded as life (the Commission codes terms of 470 months or more so).

    Examples
    --------
    >>> from simulator.law import load_law
    >>> total_term(load_law(), np.array([97, 80, 430, 470]), np.array([60, 0, 60, 60])).tolist()
    [157, 80, 470, 470]
    """
    total = np.asarray(drug).astype(np.int32) + np.asarray(firearm, dtype=np.int32)
    return np.minimum(total, law.life_months).astype(np.int16)


def offense_level(
    law: Law, cases: Mapping[str, np.ndarray], base: np.ndarray, safety_valve_levels: np.ndarray
) -> np.ndarray:
    """Chapter 2 and 3 offense level from the base level and each case's adjustments.

    ``safety_valve_levels`` are the levels the safety valve's reduction takes off each case
    (:func:`guideline` decides them by the law of the day).
    """
    adj = {k: np.int16(v) for k, v in law.adjustments.items()}  # keep the arithmetic in int16
    level = base.astype(np.int16)
    level += weapon_levels(law, cases)
    level += cases["role"]
    level += adj["obstruction"] * np.asarray(cases["obstruction"], dtype=bool)
    level -= np.asarray(safety_valve_levels, dtype=np.int16)
    # acceptance of responsibility: its levels, and the extra level from a level on
    accept = adj["acceptance"] + adj["acceptance_extra"] * (
        level >= adj["acceptance_extra_from_level"]
    )
    level -= accept * np.asarray(cases["acceptance"], dtype=bool)
    return level


def guideline(
    law: Law,
    cases: Mapping[str, np.ndarray],
    *,
    edition: np.ndarray,
    statute_day: np.ndarray,
    thresholds_day: np.ndarray | None = None,
    level_shift: np.ndarray | int = 0,
    chapter_four_shift: np.ndarray | int = 0,
    same_statute: Guideline | None = None,
    tier: np.ndarray | None = None,
    rules_day: np.ndarray | None = None,
    safety_valve_day: np.ndarray | None = None,
    safety_valve_guideline: np.ndarray | None = None,
    edition2: np.ndarray | None = None,
) -> Guideline:
    """Guideline range and statutory limits of each case.

    Parameters
    ----------
    law : Law
        The law tables.
    cases : mapping of str to ndarray
        Case facts (``drug, grams, weapon, role, obstruction, acceptance, safety_valve,
        sub_assist, career, chp, mm_charged, priors_851``). With ``status_points`` and
        ``zp_excluded`` too, criminal history is scored under the rules in force on
        ``rules_day`` (Amendment 821 from 2023-11-01); without them, ``chp`` is taken as
        scored and ``chapter_four_shift`` is the whole Chapter Four adjustment.
    edition : ndarray
        Drug Quantity Table edition index per person.
    statute_day : ndarray
        Day whose penalty provisions (§851 terms, maxima) apply.
    thresholds_day : ndarray, optional
        Day whose quantity thresholds decide the statutory tier (defaults to ``statute_day``).
    level_shift : ndarray or int
        Levels added to the base offense level (a scenario's level shift).
    chapter_four_shift : ndarray or int
        Levels added to the offense level after Chapters Two and Three (USSG §4C1.1).
    rules_day : ndarray, optional
        Day whose criminal-history rules (status points, the zero-point decrease) score the
        cases (defaults to ``statute_day``): a range reduced under a later amendment rests on
        the guidelines of that amendment's day (``table_date``).
    tier : ndarray, optional
        The statutory tier (0, 5, 10) when already decided, e.g. under amended thresholds;
        by default the tier charged within what the quantity reaches on ``thresholds_day``.
    same_statute : Guideline, optional
        A calculation of the same cases under the same statute and criminal history (a change
        of Chapter Two alone): its tier, floor, maximum and category are reused, not recomputed.
    safety_valve_day : ndarray, optional
        Day whose safety-valve guideline rules apply (defaults to ``statute_day``): the
        criteria of USSG §5C1.2(a), the reduction of §2D1.1(b) and the floor of §5C1.2(b).
        ``safety_valve`` (relief from the minimum, 18 U.S.C. §3553(f)) is a case fact.
    safety_valve_guideline : ndarray, optional
        Whether each case meets the criteria of §5C1.2(a) as the guideline of the safety-valve
        day words them. By default: relief applied and the total of points, as scored on that
        day, within the guideline's cap (until 2023-11-01 the guideline kept the one-point
        rule the First Step Act widened for the statute). A later change of criminal-history
        rules leaves that finding as it was made (USSG §1B1.10(b)(1)); a change of the safety
        valve decides it from the criminal-history composition instead.
    edition2 : ndarray, optional
        Drug Quantity Table edition of each case's second drug (``drug2``), whose quantity is
        added to the first's as a converted weight (USSG §3D1.2(d), §2D1.1 n.8). By default
        the edition in force on ``rules_day`` (or ``statute_day``).

    Returns
    -------
    Guideline
    """
    chp = cases["chp"]
    sv_day = statute_day if safety_valve_day is None else safety_valve_day
    sv_chp = chp  # the points the safety-valve finding counted: as scored on its own day
    if "status_points" in cases:  # score criminal history under the rules of the rules day
        rules = statute_day if rules_day is None else rules_day
        scored = law.criminal_history_points(chp, cases["status_points"], rules)
        if safety_valve_guideline is None:
            sv_chp = (
                scored
                if sv_day is rules  # the same day: the same points
                else law.criminal_history_points(sv_chp, cases["status_points"], sv_day)
            )
        chp = scored
        chapter_four_shift = chapter_four_shift + law.zero_point_levels(cases, rules)
    drug2, grams2 = second_drug(cases)
    if drug2 is not None and edition2 is None:
        on = statute_day if rules_day is None else rules_day
        edition2 = law.edition_on(np.maximum(drug2, 0), on)
    if same_statute is None:
        if tier is None:
            tday = statute_day if thresholds_day is None else thresholds_day
            tier = np.minimum(cases["mm_charged"], _tier(law, cases, drug2, grams2, tday))
        tier = np.asarray(tier).astype(np.int8)
        minimum, smax = law.penalties(tier, cases["priors_851"], statute_day)
        if drug2 is None:
            smax = law.lower_maximum(cases["drug"], cases["grams"], tier, cases["priors_851"], smax)
        else:
            smax = law.grouped_maximum(
                cases["drug"], cases["grams"], drug2, grams2, tier, cases["priors_851"], smax
            )
    else:
        tier, minimum = same_statute.tier, same_statute.minimum
        smax = same_statute.statutory_max
    relief = np.asarray(cases["safety_valve"], dtype=bool)
    sv = law.safety_valve
    if safety_valve_guideline is None:  # the points are read for those relieved only
        meets = np.zeros(relief.shape, dtype=bool)
        at = np.flatnonzero(relief)
        meets[at] = sv.guideline.points_met(_rows(sv_chp, at), _rows(sv_day, at))
    else:
        meets = safety_valve_guideline
    if drug2 is None:
        base = law.base_offense_level(cases["drug"], cases["grams"], edition)
    else:
        base = law.grouped_base_level(
            cases["drug"], cases["grams"], edition, drug2, grams2, edition2
        )
    base = base + level_shift
    # the safety valve's levels and floor, for those who meet its criteria (0 for the others)
    at = np.flatnonzero(meets)
    sv_levels = np.zeros(np.shape(base), dtype=np.int8)
    above = _rows(base, at) + _rows(weapon_levels(law, cases), at)
    sv_levels[at] = sv.reduction(_rows(sv_day, at), above)
    level = offense_level(law, cases, base, sv_levels)
    sv_floor = np.zeros(np.shape(level), dtype=np.int16)
    sv_floor[at] = sv.level_floor(_rows(sv_day, at), _rows(minimum, at))
    raised = (sv_floor * (level < sv_floor)).astype(np.int8)
    level = np.maximum(level, sv_floor) + chapter_four_shift
    career = np.asarray(cases["career"], dtype=bool)
    at = np.flatnonzero(career)  # the career offender's level, for career offenders only
    acceptance = law.adjustments["acceptance"] + law.adjustments["acceptance_extra"]
    co_level = law.career_level(_rows(smax, at)).astype(np.int16) - (
        _rows(cases["acceptance"], at) * acceptance
    )
    level[at] = np.maximum(_rows(level, at), co_level)
    level = np.clip(level, law.adjustments["min_level"], law.adjustments["max_level"]).astype(
        np.int8
    )
    if same_statute is None:
        category = np.array(law.category(chp), dtype=np.int8)
        category[at] = 5
    else:
        category = same_statute.category
    rmin, rmax = law.guideline_range(level, category)
    floor = (minimum * ~relief).astype(np.int16)
    tmin, tmax = np.minimum(rmin, smax), np.minimum(rmax, smax)
    binding = np.minimum(floor, smax)
    rmin, rmax = np.maximum(tmin, binding), np.maximum(tmax, binding)
    return Guideline(
        level, category, rmin, rmax, floor, smax, tier, tmin, tmax,
        minimum=minimum, relief=np.asarray(relief, dtype=bool), points=chp,
        safety_valve_levels=sv_levels, safety_valve_floor=raised,
    )  # fmt: skip


def second_drug(cases: Mapping[str, np.ndarray]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each case's second drug (an index into DRUGS, -1 for none) and its grams.

    ``(None, None)`` when no case has a second drug, so the one-drug path runs unchanged.

    Examples
    --------
    >>> second_drug({"drug2": np.array([0, 3], np.int8), "grams2": np.array([0.0, 5.0])})
    (array([-1,  2], dtype=int16), array([0., 5.]))
    >>> second_drug({"drug2": np.zeros(2, np.int8), "grams2": np.zeros(2)})
    (None, None)
    """
    codes = cases.get("drug2")
    if codes is None or not codes.any():
        return None, None
    return codes.astype(np.int16) - 1, np.asarray(cases["grams2"])


def _tier(
    law: Law,
    cases: Mapping[str, np.ndarray],
    drug2: np.ndarray | None,
    grams2: np.ndarray | None,
    when: np.ndarray,
) -> np.ndarray:
    """The highest statutory tier the quantities reach on ``when`` (each drug's count)."""
    if drug2 is None:
        return law.mandatory_tier(cases["drug"], cases["grams"], when)
    return law.grouped_tier(cases["drug"], cases["grams"], drug2, grams2, when)


def _rows(values: np.ndarray | int, at: np.ndarray) -> np.ndarray:
    """The values of the people ``at`` (a scalar stays a scalar: everyone's value)."""
    values = np.asarray(values)
    return values if values.ndim == 0 else values[at]


def impose(
    law: Law,
    g: Guideline,
    position: np.ndarray,
    departure: np.ndarray,
    sub_assist: np.ndarray,
    firearm: np.ndarray | int = 0,
) -> np.ndarray:
    """The term imposed: a point in the range, less any departure or variance, within the statute.

    A substantial-assistance motion (18 U.S.C. §3553(e)) lifts the mandatory floor; otherwise the
    term never goes under it. Terms are whole months; ``life_months`` codes life. ``firearm``,
    the months of a consecutive §924(c) term, is added to the drug term (:func:`total_term`):
    the range, position and departure are those of the drug count.
    """
    point = g.range_min + position * (g.range_max.astype(np.float64) - g.range_min)
    term = point * (1.0 - departure)
    # the floor binds unless a motion lifts it (a floor of 0: a term is never below it)
    term = np.maximum(term, g.floor * ~np.asarray(sub_assist, dtype=bool))
    term = np.minimum(np.rint(term), g.statutory_max)
    return total_term(law, np.clip(term, 1, law.life_months), firearm)
