"""Commutations: clemency criteria as filters, a review capacity, and a release lag.

A clemency scenario is not a court reduction: no guideline change is needed. Its pieces:

* **criteria**, each a filter over the people in custody when the review starts
  (``retroactivity.effective``): served at least N years (by the decision day), a non-violent
  low-level offense, criminal history at most a category, good conduct, no history of
  violence, and "would get a substantially lower sentence today", computed by re-sentencing
  each person under the law in force on the start day plus the scenario's other changes (same
  facts, same position in the range, same departure);
* **review capacity**: a share of the people in custody petition (a larger one among those
  who meet every criterion at the start, if ``petition_rate_met_all`` says so); petitions are
  decided in a
  random order (each person's own draw), ``capacity_per_month`` a month, until
  ``review.until``; a person released before the decision gains nothing;
* **grants**: a decided petition meeting every criterion is granted with probability
  ``grant.rate`` (with the grant modifiers), by the person's own uniform;
* **release lag**: the commuted term is the term today's law gives, and the release is no
  earlier than the grant plus the lag (people serving life: their own lag), never later than
  before.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_clemency_initiative.yaml")
>>> pop = sim.synthesize(s.population, seed=2, size=0.05)
>>> out = sim.apply(pop, s).summary["clemency"]
>>> out["met_all"] <= min(out["criteria"].values())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.calendar import EPOCH, NEVER, day, iso
from simulator.law import CATEGORIES, Law
from simulator.model.changes import resolve_changes
from simulator.model.motions import decision_days
from simulator.model.population import Population
from simulator.model.reduction import Reduction, bounded_release, current_guideline, grants
from simulator.model.sentencing import impose
from simulator.numeric import person_uniform
from simulator.scenario import Scenario

CRITERIA = (
    "lower_sentence_today",
    "non_violent_offense",
    "min_years_served",
    "max_category",
    "max_infractions",
    "no_violence_history",
)


def today_term(law: Law, pop: Population, changes: list, *, as_of: int) -> tuple[np.ndarray, Any]:
    """Each person re-sentenced under the law in force on ``as_of`` plus ``changes``.

    Same facts, same position in the range and the same departure as at sentencing; never
    longer than the term now in force. A consecutive §924(c) term is kept as imposed and added
    to the drug term (the First Step Act's §403 reaches only stacked counts, which the
    population does not hold), so the term today and the term now in force are both totals.
    Returns the term and the guideline.
    """
    res = resolve_changes(law, changes, effective=as_of, as_of=as_of)
    g = res(law, pop, None)
    term = impose(res.law, g, pop.position, pop.departure, pop.sub_assist, pop.firearm_924c_months)
    return np.minimum(term, pop.term).astype(np.int16), g


def criteria_masks(
    law: Law, pop: Population, criteria: Any, *, on: np.ndarray, new_term: np.ndarray
) -> dict[str, np.ndarray]:
    """One mask per criterion that the scenario sets (``on``: the day each is judged)."""
    masks: dict[str, np.ndarray] = {}
    c = criteria
    if c.lower_sentence_today is not None:
        term = pop.term.astype(np.float64)
        masks["lower_sentence_today"] = (new_term < term) & (
            term - new_term >= c.lower_sentence_today * term
        )
    if c.non_violent_offense:
        masks["non_violent_offense"] = ~pop.weapon & (pop.role <= 0)
    if c.min_years_served is not None:
        served = (on.astype(np.int64) - pop.custody_start) / law.conventions.days_per_year
        masks["min_years_served"] = served >= c.min_years_served
    if c.max_category is not None:
        masks["max_category"] = pop.category() <= CATEGORIES.index(c.max_category)
    if c.max_infractions is not None:
        masks["max_infractions"] = pop.infractions <= c.max_infractions
    if c.no_violence_history:
        masks["no_violence_history"] = ~pop.violent
    return masks


@dataclass(frozen=True)
class Schedule:
    """Who petitions, when each petition is decided, and who meets the criteria (arrays)."""

    in_custody: np.ndarray  # sentenced before the review starts and in custody then
    at_start: dict[str, np.ndarray]  # each criterion, judged when the review starts
    met_all_start: np.ndarray
    petition: np.ndarray
    decided_on: np.ndarray  # day of the decision (the start for people who never petition)
    decided: np.ndarray  # petitioned, decided before review.until, still in custody then
    at_decision: dict[str, np.ndarray]  # each criterion, judged on the decision day
    qualifies: np.ndarray  # decided and meeting every criterion on the decision day


def schedule(law: Law, pop: Population, clem: Any, *, start: int, new_term: np.ndarray) -> Schedule:
    """The review of a clemency change over ``pop`` (draws are each person's own, by id)."""
    until = day(clem.review.until) if clem.review.until else NEVER
    seed = pop.seed
    in_custody = (
        (pop.sentencing_date < start) & (pop.custody_start <= start) & (pop.release_date > start)
    )
    at_start = criteria_masks(
        law, pop, clem.criteria, on=np.full(len(pop), start), new_term=new_term
    )
    met_all_start = in_custody.copy()
    for m in at_start.values():
        met_all_start &= m
    review = clem.review
    rate = np.where(
        met_all_start & (review.petition_rate_met_all is not None),
        review.petition_rate_met_all or 0.0,
        review.petition_rate,
    )
    petition = in_custody & (person_uniform(pop.id, seed, "petition") < rate)
    decided_on = decision_days(
        petition,
        person_uniform(pop.id, seed, "review_order"),
        start=start,
        capacity=review.capacity_per_month * pop.scale,
        days_per_month=law.conventions.days_per_month,
    )
    decided = petition & (decided_on <= until) & (pop.release_date > decided_on)
    at_decision = criteria_masks(law, pop, clem.criteria, on=decided_on, new_term=new_term)
    qualifies = decided.copy()
    for m in at_decision.values():
        qualifies &= m
    return Schedule(
        in_custody, at_start, met_all_start, petition, decided_on, decided, at_decision, qualifies
    )


def commute(
    law: Law,
    pop: Population,
    scenario: Scenario,
    *,
    grant_prob: np.ndarray,
    uniforms: np.ndarray,
) -> Reduction:
    """Decide clemency petitions over time and compute the commuted terms and releases."""
    clem = next(ch for ch in scenario.changes if ch.type == "clemency")
    others = [ch for ch in scenario.changes if ch.type != "clemency"]
    start = day(scenario.retroactivity.effective)

    old = current_guideline(law, pop)
    new_term, new = today_term(law, pop, others, as_of=start)
    flow = schedule(law, pop, clem, start=start, new_term=new_term)
    in_custody, at_start, met_all_start = flow.in_custody, flow.at_start, flow.met_all_start
    petition, decided_on, decided, qualifies = (
        flow.petition,
        flow.decided_on,
        flow.decided,
        flow.qualifies,
    )
    granted = grants(qualifies, uniforms, grant_prob)

    life = pop.term >= law.life_months
    lag = clem.release_lag
    lag_months = np.where(
        life, lag.months if lag.life_months is None else lag.life_months, lag.months
    )
    earliest = decided_on + np.ceil(lag_months * law.conventions.days_per_month).astype(np.int64)
    commuted = pop.release_for(law, new_term).astype(np.int64)
    release = bounded_release(granted, commuted, earliest, pop.release_date)
    undelayed = bounded_release(granted, commuted, decided_on, pop.release_date)
    term = np.where(granted, new_term, pop.term).astype(np.int16)
    details = _details(
        law, pop, at_start, in_custody, met_all_start, petition, decided, qualifies, granted,
        decided_on, release, life,
    )  # fmt: skip
    return Reduction(
        old=old,
        new=new,
        eligible=qualifies,
        granted=granted,
        reduced_term=new_term,
        term=term,
        release=release,
        lowered=new_term < pop.term,
        release_undelayed=undelayed,
        details={"clemency": details},
    )


def _by_year(days: np.ndarray) -> dict[str, int]:
    years = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[Y]")
    names, counts = np.unique(years.astype(str), return_counts=True)
    return {str(k): int(v) for k, v in zip(names, counts, strict=True)}


def _details(
    law: Law,
    pop: Population,
    at_start: dict[str, np.ndarray],
    in_custody: np.ndarray,
    met_all: np.ndarray,
    petition: np.ndarray,
    decided: np.ndarray,
    qualifies: np.ndarray,
    granted: np.ndarray,
    decided_on: np.ndarray,
    release: np.ndarray,
    life: np.ndarray,
) -> dict:
    """The clemency figures of the summary (counts, spread of decisions and releases)."""
    lag = (release[granted].astype(np.int64) - decided_on[granted]) / law.conventions.days_per_month
    return {
        "in_custody": int(in_custody.sum()),
        "criteria": {k: int((m & in_custody).sum()) for k, m in at_start.items()},
        "met_all": int(met_all.sum()),
        "petitions": int(petition.sum()),
        "decided": int(decided.sum()),
        "decided_met_all": int(qualifies.sum()),
        "granted": int(granted.sum()),
        "granted_life": int((granted & life).sum()),
        "granted_life_share": round(float(life[granted].mean()), 3) if granted.any() else 0.0,
        "median_months_grant_to_release": round(float(np.median(lag)), 1) if lag.size else None,
        "last_decision": iso(int(decided_on[decided].max())) if decided.any() else None,
        "decisions_by_year": _by_year(decided_on[decided]),
        "grants_by_year": _by_year(decided_on[granted]),
        "releases_by_year": _by_year(release[granted]),
    }
