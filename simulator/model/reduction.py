"""The retroactivity kernel: amended ranges, eligibility, reduced terms, grants and release dates.

:func:`reduce` applies one resolved amendment to everyone at once; it is pure and vectorized,
reads the population's arrays and never changes them. :func:`simulator.model.apply.apply` is
the entry point that turns a scenario into an amendment and the result into an
:class:`~simulator.model.outcomes.Outcome`. The rules follow 18 U.S.C. §3582(c)(2) and USSG
§1B1.10:

* only the amended provisions are substituted; every other guideline decision stays as made;
* a person is eligible when the amendment lowers the applicable range, the sentence was imposed
  before the effective date, the person is in custody on it and would still be on the first day
  a release may happen (someone released earlier anyway gains nothing, and the Commission's
  2014 count of 46,290 leaves such people out once the release delay was adopted), and a
  reduction is possible (the amended range, or a comparable reduction for substantial
  assistance, lies under the term); for substantial-assistance cases the ranges are taken
  before the mandatory minimum cuts them off (§1B1.10(c));
* the full reduction keeps the term's relative position in the range; the amended minimum is the
  floor, except a comparably reduced term for substantial-assistance cases; a mandatory minimum
  that bound the sentence still binds; the term is never cut below time already served;
* nobody is released before the scenario's earliest-release date;
* only the drug term is reduced: a consecutive 18 U.S.C. §924(c) term (``firearm_924c_months``,
  part of ``term``) is added back unchanged, for no drug-guideline change touches it (USSG
  §2K2.4(b)); the range, position and departure are those of the drug count.

Examples
--------
>>> import simulator as sim
>>> from simulator.calendar import day
>>> law, scenario = sim.load_law(), sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> pop = sim.synthesize(scenario.population, seed=1, size=0.05)
>>> red = reduce(law, pop, resolve(law, scenario.changes), effective=day("2014-11-01"),
...              earliest_release=day("2015-11-01"), grant_prob=np.ones(len(pop)),
...              uniforms=pop.u_grant)
>>> 0 < int(red.eligible.sum()) < len(pop), bool((red.term <= pop.term).all())
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.calendar import NEVER, day
from simulator.law import DRUGS, Law
from simulator.model.blockwise import in_blocks
from simulator.model.motions import docket, motion_figures
from simulator.model.population import Population, release_of
from simulator.model.sentencing import Guideline, drug_term, guideline, second_drug, total_term
from simulator.numeric import expit, logit


@dataclass(frozen=True)
class Amendment:
    """A guideline change resolved against the law: what each person's amended law is.

    ``edition`` maps drug codes to the Drug Quantity Table edition that replaces theirs;
    ``level_shift`` is added to the base offense level of the listed drugs whose base level lies
    in ``[shift_from, shift_to]``. ``rescore``, when given, computes the amended guideline
    itself (``rescore(law, pop, edition)``; the change types of :mod:`simulator.model.changes`).
    """

    edition: dict[int, int]
    level_shift: dict[int, tuple[int, int, int]]
    rescore: Callable[[Law, Population, np.ndarray], Guideline] | None = None

    @classmethod
    def none(cls) -> Amendment:
        """The change that changes nothing."""
        return cls({}, {})


@dataclass(frozen=True)
class Reduction:
    """Per-person result of a retroactive change (arrays over the population)."""

    old: Guideline
    new: Guideline
    eligible: np.ndarray
    granted: np.ndarray
    reduced_term: np.ndarray  # int16 months, the full reduction (drug term + §924(c) term)
    term: np.ndarray  # int16 months after the grant decisions
    release: np.ndarray  # int32 day of release after the change
    lowered: np.ndarray  # range lowered by the change
    release_undelayed: np.ndarray  # int32 release had there been no earliest-release date
    saved_as_projected: np.ndarray  # int32 days saved as a projection on the effective day saw them
    details: dict = field(default_factory=dict)  # extra summary figures of some change types
    docket: Any = None  # the motions and their decision days, with a court process


def current_guideline(law: Law, pop: Population, edition: np.ndarray | None = None) -> Guideline:
    """Each person's applicable guideline range as it stands (the law of ``table_date``).

    ``edition`` may pass ``law.edition_on(pop.drug, pop.table_date)`` when already computed.
    """
    if edition is None:
        edition = law.edition_on(pop.drug, pop.table_date)
    return _scored(law, pop, edition)


def _scored(law: Law, pop: Population, edition: np.ndarray, **kw: Any) -> Guideline:
    """The people's guideline scored with ``edition``.

    The statute is that of the sentencing date; the criminal-history rules are those of the
    guidelines the range rests on (``table_date``).
    """
    return guideline(
        law,
        pop.cases(),
        edition=edition,
        statute_day=pop.sentencing_date,
        rules_day=pop.table_date,
        **kw,
    )


def amended_guideline(
    law: Law,
    pop: Population,
    change: Amendment,
    edition: np.ndarray | None = None,
    current: Guideline | None = None,
) -> Guideline:
    """Each person's guideline range with only the amended provisions substituted.

    ``edition`` is as for :func:`current_guideline`; ``current``, the result of
    :func:`current_guideline`, lets a change of Chapter Two alone reuse its statute.
    """
    if edition is None:
        edition = law.edition_on(pop.drug, pop.table_date)
    if change.rescore is not None:
        return change.rescore(law, pop, edition)
    drug2, grams2 = second_drug(pop.cases())
    edition2 = None
    if drug2 is not None:  # the second drug's edition, amended as the first's
        edition2 = law.edition_on(np.maximum(drug2, 0), pop.table_date)
    if change.edition:  # each drug's new edition, one lookup by drug (-1: unchanged)
        by_drug = np.full(len(DRUGS), -1, dtype=edition.dtype)
        by_drug[list(change.edition)] = list(change.edition.values())
        new = by_drug.take(pop.drug)
        edition = np.where(new >= 0, new, edition)
        if drug2 is not None:
            new2 = np.where(drug2 >= 0, by_drug.take(np.maximum(drug2, 0)), -1)
            edition2 = np.where(new2 >= 0, new2, edition2)
    shift = np.zeros(len(pop), dtype=np.int16)
    if change.level_shift:
        if drug2 is None:
            base = law.base_offense_level(pop.drug, pop.grams, edition)
        else:
            base = law.grouped_base_level(pop.drug, pop.grams, edition, drug2, grams2, edition2)
        for drug, (levels, lo, hi) in change.level_shift.items():
            hit = (pop.drug == drug) if drug2 is None else (pop.drug == drug) | (drug2 == drug)
            hit &= (base >= lo) & (base <= hi)
            shift = np.where(hit, levels, shift)
    return _scored(
        law,
        pop,
        edition,
        level_shift=shift,
        same_statute=current,
        edition2=edition2,
    )


def range_lowered(old: Guideline, new: Guideline, sub_assist: np.ndarray) -> np.ndarray:
    """Whether the change lowers the applicable range.

    For substantial-assistance cases the ranges are compared before the mandatory minimum cuts
    them off (USSG §1B1.10(c)), so such a person held at a floor the court could go under
    still benefits from a lower table.
    """
    cut = (new.range_max < old.range_max) | (new.range_min < old.range_min)
    uncut = (new.table_max < old.table_max) | (new.table_min < old.table_min)
    return np.where(sub_assist, uncut, cut)


def full_reduction(
    term: np.ndarray, old: Guideline, new: Guideline, sub_assist: np.ndarray
) -> np.ndarray:
    """The reduced term of USSG §1B1.10(b) if the full reduction is granted (months, float).

    * within the old range: the same relative position in the amended range;
    * above it: the same ratio to the top of the range;
    * below it without a substantial-assistance motion: no lower than the amended minimum;
    * below it with one: a comparably reduced term (same ratio to the amended minimum, which
      for these cases disregards the mandatory minimum, USSG §1B1.10(c));
    * a mandatory minimum that bound the sentence still binds (it is in ``new.floor``);
    * never longer than the term imposed.
    """
    t = term.astype(np.float64)
    omin, omax = old.range_min.astype(np.float64), old.range_max.astype(np.float64)
    nmin, nmax = new.range_min.astype(np.float64), new.range_max.astype(np.float64)
    # products before quotients: whole-month ties (e.g. 31.5) come out exact and round to even
    width = omax - omin
    shift = np.clip(t - omin, 0.0, width) * (nmax - nmin)
    within = nmin + np.divide(shift, width, out=nmax - nmin, where=width > 0)
    above = np.divide(t * nmax, omax, out=t.copy(), where=omax > 0)
    tmin = new.table_min.astype(np.float64)
    comparable = np.divide(t * tmin, omin, out=t.copy(), where=omin > 0)
    reduced = np.where(t > omax, above, within)
    reduced = np.where(t < omin, np.where(sub_assist, comparable, np.minimum(t, nmin)), reduced)
    reduced = np.where(sub_assist, reduced, np.maximum(reduced, new.floor))
    return np.minimum(np.rint(reduced), t)


def reduced_total(law: Law, pop: Population, old: Guideline, new: Guideline) -> np.ndarray:
    """Each person's total term after the full reduction of the drug term (int16 months).

    The drug term (``term`` less ``firearm_924c_months``) is reduced by :func:`full_reduction`;
    the consecutive §924(c) term is added back unchanged (18 U.S.C. §924(c)(1)(D)(ii); USSG
    §2K2.4(b): its guideline sentence is the statutory minimum, which no drug-guideline
    amendment lowers).
    """
    firearm = pop.firearm_924c_months
    drug = drug_term(law, pop.term, firearm)
    return total_term(law, full_reduction(drug, old, new, pop.sub_assist), firearm)


def grant_probability(
    rate: float, modifiers: dict[str, float], covariates: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """Probability that a motion is granted: ``rate`` shifted on the log-odds scale by modifiers.

    ``rate`` 1 grants everyone and 0 no one whatever the modifiers; in between, each modifier
    adds its log-odds for the people who have the trait (or times their count).
    """
    if rate >= 1.0:
        return np.ones(n)
    if rate <= 0.0:
        return np.zeros(n)
    if not modifiers:
        return np.full(n, float(rate))
    z = np.full(n, logit(rate))
    for name, beta in modifiers.items():
        z = z + beta * covariates[name]
    return expit(z)


def reduce(
    law: Law,
    pop: Population,
    change: Amendment,
    *,
    effective: int,
    earliest_release: int | None,
    grant_prob: np.ndarray,
    uniforms: np.ndarray,
    process: Any = None,
) -> Reduction:
    """Apply a retroactive change to everyone: the vectorized heart of :func:`apply`.

    Parameters
    ----------
    law, pop, change
        The law, the people, the amendment.
    effective : int
        Day the change takes effect; people sentenced before it and in custody on it may apply.
    earliest_release : int or None
        Nobody is released under the change before this day (None: no delay).
    grant_prob, uniforms : ndarray
        Grant probability per person and the person's own uniform draw: a motion is granted when
        ``uniform < grant_prob`` (common random numbers: a higher rate only adds grants).
    process : CourtProcess, optional
        How courts decide the motions over time (:mod:`simulator.model.motions`): only motions
        filed and decided while the person is in custody can be granted, and nobody leaves
        before the decision day plus the processing time. Without it every eligible person's
        motion is decided on the effective day.

    Without a court process every person's result is that person's own, and a large
    population is reduced a block of people at a time (:func:`simulator.model.blockwise.in_blocks`):
    the same numbers, faster.
    """
    if process is None:
        return in_blocks(
            _reduce, pop, (grant_prob, uniforms),
            law=law, change=change, effective=effective, earliest_release=earliest_release,
        )  # fmt: skip
    return _reduce(pop, grant_prob, uniforms, law=law, change=change, effective=effective,
                   earliest_release=earliest_release, process=process)  # fmt: skip


def _reduce(
    pop: Population,
    grant_prob: np.ndarray,
    uniforms: np.ndarray,
    *,
    law: Law,
    change: Amendment,
    effective: int,
    earliest_release: int | None,
    process: Any = None,
) -> Reduction:
    """:func:`reduce` on all of ``pop`` at once."""
    edition = law.edition_on(pop.drug, pop.table_date)
    old = current_guideline(law, pop, edition)
    new = amended_guideline(law, pop, change, edition, old)
    lowered = range_lowered(old, new, pop.sub_assist)
    reduced = reduced_total(law, pop, old, new)
    first = first_release_day(effective, earliest_release)
    # in custody on the effective date and still there on the first day a release may happen:
    # someone released before it anyway cannot benefit (the Commission's count works this way)
    in_custody = (pop.custody_start <= effective) & (pop.release_date > first)
    eligible = lowered & (pop.sentencing_date < effective) & in_custody & (reduced < pop.term)
    decided: np.ndarray | int = effective
    figures: dict = {}
    d = None
    if process is None:
        granted = grants(eligible, uniforms, grant_prob)
    else:
        reach = (pop.sentencing_date < effective) & in_custody
        start = effective if process.start is None else day(process.start)
        urgent = None
        if process.priority_months is not None:
            soon = pop.release_for(law, reduced)
            horizon = first + float(process.priority_months) * law.conventions.days_per_month
            urgent = eligible & (soon <= horizon)
        d = docket(
            process, pop.id, reach=reach, eligible=eligible, urgent=urgent, start=start,
            days_per_month=law.conventions.days_per_month, seed=pop.seed, scale=pop.scale,
        )  # fmt: skip
        heard = eligible & d.filed & (d.decided_on < pop.release_date)
        granted = grants(heard, uniforms, grant_prob)
        decided = np.minimum(d.decided_on, NEVER - 366) + int(process.processing_days)
        figures = {
            "motions": motion_figures(
                d, eligible=eligible, granted=granted,
                report_dates=[day(x) for x in process.report_dates],
            )
        }  # fmt: skip
    term = np.where(granted, reduced, pop.term).astype(np.int16)
    release = pop.release_for(law, term)
    not_before = np.maximum(decided, effective)
    undelayed = bounded_release(granted, release, not_before, pop.release_date)
    projected = saved_as_projected(law, pop, granted, term, not_before, on=effective)
    release = bounded_release(granted, release, np.maximum(decided, first), pop.release_date)
    return Reduction(
        old, new, eligible, granted, reduced, term, release, lowered, undelayed, projected,
        figures, d,
    )  # fmt: skip


def first_release_day(effective: int, earliest_release: int | None) -> int:
    """The first day anyone may leave under a change.

    It is the change's effective day, or a later earliest-release day when the change sets
    one (USSG §1B1.10(e)(1) for Amendment 782); the dates come from the scenario.

    Examples
    --------
    >>> first_release_day(100, None), first_release_day(100, 465), first_release_day(100, 50)
    (100, 465, 100)
    """
    return effective if earliest_release is None else max(effective, earliest_release)


def grants(eligible: np.ndarray, uniforms: np.ndarray, grant_prob: np.ndarray) -> np.ndarray:
    """Who among ``eligible`` is granted: ``uniform < grant_prob`` (common random numbers).

    A probability of 1 grants everyone, even a float32 draw that rounds to 1.

    Examples
    --------
    >>> grants(np.array([True, True, False]), np.array([0.2, 1.0]).repeat([2, 1]),
    ...        np.array([0.5, 1.0, 1.0])).tolist()
    [True, True, False]
    """
    return eligible & ((uniforms < grant_prob) | (grant_prob >= 1.0))


def bounded_release(
    granted: np.ndarray, release: np.ndarray, not_before: np.ndarray | int, baseline: np.ndarray
) -> np.ndarray:
    """Release day after a grant: never before ``not_before``, never later than ``baseline``.

    ``not_before`` is the first day a release may happen (time already served counts: a term
    already over releases on that day); people not granted keep ``baseline``.

    Examples
    --------
    >>> bounded_release(np.array([True, True, False]), np.array([5, 50, 5]), 10,
    ...                 np.array([40, 40, 40])).tolist()
    [10, 40, 40]
    """
    return np.where(
        granted, np.minimum(np.maximum(release, not_before), baseline), baseline
    ).astype(np.int32)


def saved_as_projected(
    law: Law,
    pop: Population,
    granted: np.ndarray,
    term: np.ndarray,
    not_before: np.ndarray | int,
    *,
    on: int,
) -> np.ndarray:
    """Days of custody each granted person saves as a projection made on day ``on`` counts them.

    The Commission's estimates of bed-years saved (e.g. "up to 79,740" for Amendment 782) were
    projections: release dates under the release rules in force that day
    (:meth:`~simulator.law.tables.Law.release_rules_as_of`: no later good-conduct-time
    correction, no time credits not yet enacted), nobody dying or leaving early, and no
    release before ``not_before`` (the effective day, or a later decision day). People not
    granted save 0.

    Examples
    --------
    Ten years from 2012-01-01 cut to nine: 2014 rules give 47 days of good-conduct time a
    year, so the year cut saves about 365 - 47 days (the 2019 rule would count 365 - 54).

    >>> from types import SimpleNamespace as NS
    >>> from simulator.calendar import day
    >>> from simulator.law import load_law
    >>> one = np.zeros(1, dtype=bool)
    >>> pop = NS(custody_start=np.array([day("2012-01-01")]), infractions=np.zeros(1),
    ...          rdap=one, ftc=one, term=np.array([120]))
    >>> on = day("2014-11-01")
    >>> saved_as_projected(load_law(), pop, ~one, np.array([108]), on, on=on).tolist()
    [319]
    """
    out = np.zeros(len(granted), dtype=np.int32)
    at = np.flatnonzero(granted)
    if not at.size:
        return out
    then = law.release_rules_as_of(on)
    before = release_of(then, pop, pop.term[at], at).astype(np.int64)
    after = release_of(then, pop, np.asarray(term)[at], at)
    floor = not_before if np.ndim(not_before) == 0 else np.asarray(not_before)[at]
    out[at] = before - np.minimum(np.maximum(after, floor), before)
    return out


def resolve(law: Law, changes: list) -> Amendment:
    """Turn a scenario's change list into an :class:`Amendment` (later changes win per drug)."""
    edition: dict[int, int] = {}
    shift: dict[int, tuple[int, int, int]] = {}
    for ch in changes:
        if ch.type == "drug_table":
            for drug in ch.drugs:
                edition[DRUGS.index(drug)] = law.edition_index(ch.edition)
        elif ch.type == "level_shift":
            for drug in ch.drugs:
                shift[DRUGS.index(drug)] = (ch.levels, ch.from_level, ch.to_level)
    return Amendment(edition, shift)
