"""Change types of the scenario language, resolved into amended law and amended case facts.

A scenario's ``changes`` are applied in order to each person's guideline calculation, and a
later change wins for the same person and provision:

``drug_table``
    score some drugs with another Drug Quantity Table edition;
``level_shift``
    add N levels to the base offense level of some drugs within a level range;
``crack_powder_ratio``
    derive cocaine base's table (and/or its statutory thresholds) from powder's divided by
    the ratio; the derived table is appended to the law as an edition of its own;
``mandatory_minimum``
    new 5- and 10-year quantity thresholds (the statutory tier charged can only fall to what
    the quantity supports under them) and/or new floors;
``enhancement_851``
    new floors for people with one or with two or more §851 priors;
``criminal_history``
    Amendment 821: status points kept (reduced) only with enough other points (part A); a
    Chapter Four decrease for zero-point offenders without a §4C1.1 exclusion (part B);
``safety_valve``
    the safety valve's rules of another day: who is relieved of the minimum (18 U.S.C.
    §3553(f)(1), the First Step Act §402) and/or the guideline's criteria, reduction and level
    floor (USSG §5C1.2, §2D1.1(b)).

Statutory penalties are changed through extra periods appended to the law's penalty table on
far-future days, one per original period and combination of penalty changes, so a person's
amended floor keeps every provision the change does not touch. Each change reaches only the
people in its scope (:func:`scope`). Clemency is in :mod:`simulator.model.clemency`.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/equal_act.yaml")
>>> pop = sim.synthesize(s.population, seed=3, size=0.02)
>>> law = sim.load_law()
>>> res = resolve_changes(law, s.changes, effective=day(s.retroactivity.effective))
>>> res.law.editions[-1]
'cocaine_base 1:1 from 2014'
>>> g = res(law, pop, law.edition_on(pop.drug, pop.table_date))
>>> from simulator.model.reduction import current_guideline
>>> bool((g.level <= current_guideline(law, pop).level).all())
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.calendar import day
from simulator.law import DRUGS, Law, amendment_bit
from simulator.model.population import Population
from simulator.model.reduction import Amendment, resolve
from simulator.model.sentencing import Guideline, guideline, second_drug

CRACK, POWDER = DRUGS.index("cocaine_base"), DRUGS.index("cocaine")
#: First day of the appended penalty periods: later than any real date.
AMENDED_PERIODS_FROM = day("2199-01-01")
PENALTY_TYPES = ("mandatory_minimum", "enhancement_851")
TIER_INDEX = {"five_year": 1, "ten_year": 2}


def scope(change: Any, pop: Population, effective: int) -> np.ndarray:
    """Mask of the people a change reaches.

    Everyone when retroactive; otherwise only people sentenced on or after the change's
    effective day (its own ``effective``, or the scenario's). ``offenses_before`` keeps only
    offenses committed before that day, ``sentenced_before`` only sentences imposed before its
    day; ``statutory_tiers`` only people convicted under those tiers (the mandatory minimum
    charged); ``denied_before`` leaves out people whose motion under that earlier retroactive
    change was decided and denied (``denied_by``).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> pop = NS(sentencing_date=np.array([10, 20]), offense_date=np.array([5, 15]),
    ...          mm_charged=np.array([0, 10]))
    >>> ch = NS(retroactive=False, effective=None, offenses_before=None, sentenced_before=None,
    ...         statutory_tiers=None)
    >>> scope(ch, pop, 20).tolist()
    [False, True]
    >>> scope(NS(**{**vars(ch), "retroactive": True, "statutory_tiers": [5, 10]}), pop, 20).tolist()
    [False, True]
    """
    eff = day(change.effective) if change.effective else effective
    mask = (
        np.ones(len(pop.sentencing_date), dtype=bool)
        if change.retroactive
        else pop.sentencing_date >= eff
    )
    if change.offenses_before:
        mask = mask & (pop.offense_date < day(change.offenses_before))
    if change.sentenced_before:
        mask = mask & (pop.sentencing_date < day(change.sentenced_before))
    if change.statutory_tiers:
        mask = mask & np.isin(pop.mm_charged, change.statutory_tiers)
    denied = getattr(change, "denied_before", None)
    if denied:
        mask = mask & ((pop.denied_by & np.int8(amendment_bit(denied))) == 0)
    return mask


def _codes(drugs: list[str]) -> list[int]:
    return [DRUGS.index(d) for d in drugs]


def ratio_thresholds(law: Law, ratio: float, on: int) -> tuple[float, float]:
    """Crack's 5- and 10-year thresholds at a crack:powder ratio: powder's on ``on`` / ratio.

    Examples
    --------
    >>> from simulator.law import load_law
    >>> ratio_thresholds(load_law(), 1.0, day("2020-01-01"))
    (500.0, 5000.0)
    """
    five, ten = law.mandatory_thresholds(np.array([POWDER]), np.array([on]))
    return float(five[0]) / ratio, float(ten[0]) / ratio


def _penalty_row(law: Law, period: int, changes: list, life: int) -> tuple[np.ndarray, ...]:
    """Floors and maxima of one penalty period with the given penalty changes applied."""
    floor = law.penalty_floor[period].copy()
    smax = law.penalty_max[period].copy()
    for ch in changes:
        if ch.type == "mandatory_minimum" and ch.floors is not None:
            for tier, t in TIER_INDEX.items():
                value = getattr(ch.floors, tier)
                if value is not None:
                    floor[t, 0] = round(value)
        elif ch.type == "enhancement_851":
            if ch.terms_on:
                src = np.searchsorted(law.penalty_from, day(ch.terms_on), side="right") - 1
                floor[1:, 1:] = law.penalty_floor[max(src, 0), 1:, 1:]
                continue
            for tier, t in TIER_INDEX.items():
                terms = getattr(ch, tier)
                for p, name in ((1, "one_prior"), (2, "two_or_more")):
                    value = getattr(terms, name) if terms is not None else None
                    if value is not None:
                        floor[t, p] = life if value == "life" else int(value)
    return floor, smax


@dataclass(frozen=True)
class Resolved:
    """A scenario's changes resolved against the law; call it to get the amended guideline.

    ``law`` is the law with the derived editions and amended penalty periods appended;
    ``as_of`` (a day) re-sentences everyone under the law in force on it before the changes
    apply ("today's law", for clemency); ``None`` keeps each person's own law.
    """

    law: Law
    changes: tuple
    effective: int
    ratio_edition: dict[int, int]
    penalty_changes: tuple[int, ...]
    as_of: int | None = None

    def __call__(self, law: Law, pop: Population, edition: np.ndarray | None) -> Guideline:
        """The amended guideline of everyone (``law`` is the unamended law, unused)."""
        base_law = self.law
        n = len(pop)
        drug, grams = pop.drug, pop.grams.astype(np.float64)
        drug2, grams2 = second_drug(pop.cases())  # (None, None): nobody has a second drug
        second = drug2 is not None
        other = np.maximum(drug2, 0) if second else None  # the second drug's table (any)
        edition2 = None
        if self.as_of is not None:
            when = np.full(n, self.as_of, dtype=np.int32)
            edition = base_law.edition_on(drug, when)
            statute = thresholds_day = rules = when
        else:
            if edition is None:
                edition = base_law.edition_on(drug, pop.table_date)
            statute = thresholds_day = pop.sentencing_date
            rules = pop.table_date  # the guidelines the current range rests on
        if second:
            edition2 = base_law.edition_on(other, rules)
        # the tier charged, within what each drug's quantity reaches under the thresholds in
        # force; a change of thresholds replaces them for the people it reaches
        tier1 = base_law.mandatory_tier(drug, grams, thresholds_day)
        tier2 = (
            base_law.mandatory_tier(other, grams2, thresholds_day) * (drug2 >= 0) if second else 0
        )
        # criminal history as the guidelines of the range score it; changes may replace it
        chp = base_law.criminal_history_points(pop.chp, pop.status_points, rules)
        ch4 = base_law.zero_point_levels(pop.cases(), rules)
        shift = np.zeros(n, dtype=np.int16)
        combo = np.zeros(n, dtype=np.int64)
        scopes = [scope(ch, pop, self.effective) for ch in self.changes]

        def either(codes: list[int]) -> np.ndarray:
            """Whose first or second drug is one of ``codes``."""
            hit = np.isin(drug, codes)
            return hit | np.isin(drug2, codes) if second else hit

        for i, (ch, sc) in enumerate(zip(self.changes, scopes, strict=True)):
            if ch.type == "drug_table":
                ed = base_law.edition_index(ch.edition)
                edition = np.where(sc & np.isin(drug, _codes(ch.drugs)), ed, edition)
                if second:
                    edition2 = np.where(sc & np.isin(drug2, _codes(ch.drugs)), ed, edition2)
            elif ch.type == "crack_powder_ratio" and ch.guideline:
                edition = np.where(sc & (drug == CRACK), self.ratio_edition[i], edition)
                if second:
                    edition2 = np.where(sc & (drug2 == CRACK), self.ratio_edition[i], edition2)
        if any(ch.type == "level_shift" for ch in self.changes):
            if second:
                base = base_law.grouped_base_level(drug, grams, edition, drug2, grams2, edition2)
            else:
                base = base_law.base_offense_level(drug, grams, edition)
            for ch, sc in zip(self.changes, scopes, strict=True):
                if ch.type == "level_shift":
                    hit = sc & either(_codes(ch.drugs))
                    hit &= (base >= ch.from_level) & (base <= ch.to_level)
                    shift = np.where(hit, ch.levels, shift)
        for i, (ch, sc) in enumerate(zip(self.changes, scopes, strict=True)):
            new = self._thresholds(ch, drug)
            if new is not None:
                five, ten, hit = new
                tier1 = np.where(sc & hit, Law.tier_reached(grams, five, ten), tier1)
                if second:
                    five, ten, hit = self._thresholds(ch, other)
                    reached = Law.tier_reached(grams2, five, ten)
                    tier2 = np.where(sc & hit & (drug2 >= 0), reached, tier2)
            if i in self.penalty_changes:
                bit = 1 << self.penalty_changes.index(i)
                reach = sc if ch.type == "enhancement_851" else sc & either(_codes(ch.drugs))
                combo = np.where(reach, combo | bit, combo)
            if ch.type == "criminal_history":
                chp, ch4 = self._criminal_history(base_law, ch, sc, pop, chp, ch4)
        mm = np.minimum(pop.mm_charged, np.maximum(tier1, tier2)).astype(np.int8)

        if self.penalty_changes:
            period = np.maximum(
                np.searchsorted(base_law.penalty_from[: self._n_periods], statute, side="right")
                - 1,
                0,
            )
            slot = AMENDED_PERIODS_FROM + period * (1 << len(self.penalty_changes)) + combo
            statute = np.where(combo > 0, slot, statute).astype(np.int32)
        relief, meets, sv_day = self._safety_valve(pop, scopes, thresholds_day, chp)
        cases = {**pop.cases(), "mm_charged": mm, "chp": chp, "safety_valve": relief}
        del cases["status_points"], cases["zp_excluded"]  # chp and ch4 are scored above
        return guideline(
            base_law,
            cases,
            edition=edition,
            statute_day=statute,
            tier=mm,
            level_shift=shift,
            chapter_four_shift=ch4,
            safety_valve_day=sv_day,
            safety_valve_guideline=meets,
            edition2=edition2,
        )

    def safety_valve_rules(self, pop: Population, scopes: list[np.ndarray] | None = None) -> tuple:
        """Whose safety valve a change decides anew, and the days whose rules then apply.

        Returns ``(statute_day, statute_reached, guideline_day, guideline_reached)``: each
        person's own sentencing day (or ``as_of``), or the ``rules_on`` day of the last
        ``safety_valve`` change reaching the person for its statutory or guideline part, and
        whether such a change reached the person.
        """
        n = len(pop)
        own = pop.sentencing_date if self.as_of is None else np.full(n, self.as_of, np.int32)
        statute, rules = own.astype(np.int32), own.astype(np.int32)
        by_statute, by_rules = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        if scopes is None:
            scopes = [scope(ch, pop, self.effective) for ch in self.changes]
        for ch, sc in zip(self.changes, scopes, strict=True):
            if ch.type == "safety_valve":
                on = np.int32(day(ch.rules_on))
                if ch.statutory:
                    statute, by_statute = np.where(sc, on, statute), by_statute | sc
                if ch.guideline:
                    rules, by_rules = np.where(sc, on, rules), by_rules | sc
        return statute, by_statute, rules, by_rules

    def _safety_valve(
        self, pop: Population, scopes: list[np.ndarray], own: np.ndarray, chp: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Relief from the minimum, the guideline's criteria met, and the guideline's day.

        A person keeps the safety valve as it was decided (``safety_valve``), and the criteria
        of USSG §5C1.2(a) as that decision met them (the points counted on the sentencing day:
        a later change of criminal-history rules leaves the finding as made, §1B1.10(b)(1)),
        unless a ``safety_valve`` change reaching the person, or "today's law" (``as_of``),
        applies other rules: then the person's other conditions (``sv_conditions``) and
        criminal history (``chp``, the points of the amended calculation) decide under them.
        """
        sv = self.law.safety_valve
        statute_day, by_statute, rules_day, by_rules = self.safety_valve_rules(pop, scopes)
        history = {"one_point": pop.one_point, "prior_3pt": pop.prior_3pt,
                   "prior_2pt_violent": pop.prior_2pt_violent}  # fmt: skip

        def met(rule: Any, when: np.ndarray) -> np.ndarray:
            return pop.sv_conditions & rule.met(chp=chp, **history, when=when)

        if self.as_of is not None:  # sentenced again today: every finding made anew
            return met(sv.statute, statute_day), met(sv.guideline, rules_day), rules_day
        relief = np.where(by_statute, met(sv.statute, statute_day), pop.safety_valve)
        points_then = self.law.criminal_history_points(pop.chp, pop.status_points, own)
        meets = relief & sv.guideline.points_met(points_then, own)
        meets = np.where(by_rules, met(sv.guideline, rules_day), meets)
        return relief, meets, rules_day

    @property
    def _n_periods(self) -> int:
        return int((self.law.penalty_from < AMENDED_PERIODS_FROM).sum())

    def _thresholds(self, ch: Any, drug: np.ndarray) -> tuple | None:
        """New statutory thresholds (per person) and whom they concern, or None."""
        if ch.type == "crack_powder_ratio" and ch.statutory:
            eff = day(ch.effective) if ch.effective else self.effective
            five, ten = ratio_thresholds(self.law, ch.ratio, eff)
            return five, ten, drug == CRACK
        if ch.type != "mandatory_minimum" or not (ch.thresholds_on or ch.thresholds):
            return None
        hit = np.isin(drug, _codes(ch.drugs))
        if ch.thresholds_on:
            five, ten = self.law.mandatory_thresholds(
                drug, np.full(len(drug), day(ch.thresholds_on))
            )
            return five, ten, hit
        eff = day(ch.effective) if ch.effective else self.effective
        old5, old10 = self.law.mandatory_thresholds(drug, np.full(len(drug), eff))
        t = ch.thresholds
        five = old5 if t.five_year is None else np.full(len(drug), t.five_year)
        ten = old10 if t.ten_year is None else np.full(len(drug), t.ten_year)
        return five, ten, hit

    @staticmethod
    def _criminal_history(
        law: Law, ch: Any, sc: np.ndarray, pop: Population, chp: np.ndarray, ch4: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Amendment 821: part A (status points) and part B (zero-point offenders).

        Part B reaches the people who meet every condition of §4C1.1(a) the population
        carries (``data/law/criminal_history.yaml``).
        """
        if ch.status_points is not None:
            rule = ch.status_points
            other = pop.chp.astype(np.int16) - pop.status_points
            kept = np.where(other >= rule.min_other_points, rule.points, 0)
            chp = np.where(sc & (pop.status_points > 0), other + kept, chp).astype(np.int8)
        if ch.zero_point is not None:
            zero = law.zero_point_offender(pop.cases())
            ch4 = np.where(sc & zero, ch.zero_point.levels, ch4).astype(np.int16)
        return chp, ch4


def resolve_changes(
    law: Law, changes: list, *, effective: int, as_of: int | None = None
) -> Resolved:
    """Resolve a list of (non-clemency) changes into amended law and a guideline function."""
    changes = tuple(ch for ch in changes if ch.type != "clemency")
    editions = list(law.editions)
    thr, lev = law.dqt_thresholds, law.dqt_levels
    ratio_edition = {}
    for i, ch in enumerate(changes):
        if ch.type == "crack_powder_ratio" and ch.guideline:
            e = law.edition_index(ch.powder_edition)
            row_t = thr[e].copy()
            row_l = lev[e].copy()
            row_t[CRACK], row_l[CRACK] = thr[e, POWDER] / ch.ratio, lev[e, POWDER]
            thr, lev = np.concatenate([thr, row_t[None]]), np.concatenate([lev, row_l[None]])
            editions.append(f"cocaine_base {ch.ratio:g}:1 from {ch.powder_edition}")
            ratio_edition[i] = len(editions) - 1
    amended = dataclasses.replace(law, editions=tuple(editions), dqt_thresholds=thr, dqt_levels=lev)
    penalty = tuple(
        i
        for i, ch in enumerate(changes)
        if ch.type == "enhancement_851" or (ch.type == "mandatory_minimum" and ch.floors)
    )
    if penalty:
        starts, floors, maxima = [], [], []
        for period in range(len(law.penalty_from)):
            # combos in increasing order keep penalty_from sorted, which lookups rely on
            for combo in range(1 << len(penalty)):
                chosen = [changes[i] for k, i in enumerate(penalty) if combo >> k & 1]
                f, m = _penalty_row(law, period, chosen, law.life_months)
                starts.append(AMENDED_PERIODS_FROM + period * (1 << len(penalty)) + combo)
                floors.append(f)
                maxima.append(m)
        amended = dataclasses.replace(
            amended,
            penalty_from=np.concatenate([law.penalty_from, np.array(starts, np.int32)]),
            penalty_floor=np.concatenate([law.penalty_floor, np.array(floors)]),
            penalty_max=np.concatenate([law.penalty_max, np.array(maxima)]),
        )
    return Resolved(amended, changes, effective, ratio_edition, penalty, as_of)


def _plain(changes: list) -> bool:
    """Whether the changes are table editions and level shifts reaching everyone."""
    return all(ch.type in ("drug_table", "level_shift") and not ch.scoped for ch in changes)


def amendment_for(law: Law, changes: list, *, effective: int) -> Amendment:
    """The :class:`~simulator.model.reduction.Amendment` of a scenario's changes."""
    if _plain(changes):
        return resolve(law, changes)
    return Amendment({}, {}, rescore=resolve_changes(law, changes, effective=effective))


def change_label(ch: Any, i: int) -> str:
    """A change's label, or its type and position."""
    return ch.label or f"{i + 1}. {ch.type}"


__all__ = [
    "Resolved",
    "amendment_for",
    "change_label",
    "resolve_changes",
    "scope",
]
