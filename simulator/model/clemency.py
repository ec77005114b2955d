"""Commutations: clemency criteria as filters or scores, a review queue, batches, a release lag.

A clemency scenario is not a court reduction: no guideline change is needed. Its pieces:

* **criteria**, each a filter over the people in custody when the review starts
  (``retroactivity.effective``): served at least N years (by the decision day), a non-violent
  low-level offense, criminal history at most a category, good conduct, no history of
  violence, a primary drug among those listed, and "would get a substantially lower sentence
  today", computed by re-sentencing each person under the law in force on the start day plus
  the scenario's other changes (same facts, same position in the range, same departure);
* **petitions**: a share of the people in custody petition (a larger one among those who
  meet every criterion at the start, if ``petition_rate_met_all`` says so), or, with
  ``review.petition``, each with the probability of a score (log-odds) of the term, the years
  served and the criteria met; with ``review.arrival_months`` petitions arrive over time;
* **review**: petitions are reviewed ``capacity_per_month`` a month, a number or a schedule
  of periods (all filed at the start and reviewed in a random order, or, arriving over time,
  in the order they arrive: a queue on the capacity's work clock,
  :class:`simulator.model.motions.Capacity`), until ``review.until``; with
  ``review.batches`` a petition reviewed by a batch day is decided on it; a person released
  before the decision gains nothing; the petitions pending at the end of each month are the
  backlog;
* **grants**: a decided petition meeting every criterion is granted with probability
  ``grant.rate`` (with the grant modifiers), by the person's own uniform; with ``selection``,
  every decided petition meeting the ``required`` criteria is granted with that probability
  times the logistic of a score, each criterion met adding its weight (and a life sentence
  ``selection.life_sentence``); with ``review.batch_share``, a petition to be granted waits
  for a batch that acts on it (:func:`acted_on`), and is granted on that batch's day;
* **release lag**: the commuted term is the term today's law gives (with ``commutation``, cut
  by today's share held between ``min_cut`` and ``max_cut``), and the release is no earlier
  than the grant plus the lag (people serving life: their own lag), never later than before.

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

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simulator.calendar import EPOCH, NEVER, day, iso
from simulator.law import CATEGORIES, DRUGS, Law
from simulator.model.changes import resolve_changes
from simulator.model.motions import Capacity
from simulator.model.population import Population
from simulator.model.reduction import (
    Reduction,
    bounded_release,
    current_guideline,
    grants,
    saved_as_projected,
)
from simulator.model.sentencing import impose
from simulator.numeric import expit, person_uniform
from simulator.scenario import Scenario
from simulator.scenario.changes import CRITERIA

__all__ = ["CRITERIA", "Schedule", "commute", "criteria_masks", "schedule", "today_term"]


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
    if c.drugs is not None:
        masks["drugs"] = np.isin(pop.drug, [DRUGS.index(d) for d in c.drugs])
    return masks


@dataclass(frozen=True)
class Schedule:
    """Who petitions, when each petition is filed and decided, who meets the criteria (arrays)."""

    in_custody: np.ndarray  # sentenced before the review starts and in custody then
    at_start: dict[str, np.ndarray]  # each criterion, judged when the review starts
    met_all_start: np.ndarray
    petition: np.ndarray
    filed_on: np.ndarray  # day each petition is filed (the start for people who never petition)
    decided_on: np.ndarray  # day of the decision (the start for people who never petition)
    decided: np.ndarray  # petitioned, decided before review.until, still in custody then
    at_decision: dict[str, np.ndarray]  # each criterion, judged as the review judges it
    qualifies: np.ndarray  # decided and meeting every criterion as judged

    def deciding(self, decided_on: np.ndarray, release_date: np.ndarray, *, until: int) -> Schedule:
        """The same review with other decision days (petitions decided by ``until``, in custody)."""
        decided = self.petition & (decided_on <= until) & (release_date > decided_on)
        qualifies = decided.copy()
        for m in self.at_decision.values():
            qualifies &= m
        return replace(self, decided_on=decided_on, decided=decided, qualifies=qualifies)


def acted_on(
    waiting: np.ndarray, first: np.ndarray, *, batches: list, shares: list, draw: np.ndarray
) -> np.ndarray:
    """The batch day that acts on each ``waiting`` petition (``NEVER`` if none does).

    A petition waits from its ``first`` batch on (the first after its review); batch *k* acts
    on each petition still waiting with its share *a_k* (``shares``: periods ``(from,
    share)`` by the batch's day). With one draw per person, the petition is acted on at the
    first batch where its chance of still waiting, the product of ``1 - a_k`` since its first,
    falls to its draw or below: batch *k* then acts on a share *a_k* of those still waiting.

    Examples
    --------
    >>> batches = [day("1970-01-11"), day("1970-01-21"), day("1970-01-31")]
    >>> acted_on(np.array([True, True, True, False]), np.array([10, 10, 20, 10]),
    ...          batches=batches, shares=[(None, 0.5)],
    ...          draw=np.array([0.6, 0.3, 0.3, 0.0])).tolist()
    [10, 20, 30, 10]
    """
    days = np.array([day(b) for b in batches], dtype=np.int64)
    before_all = np.iinfo(np.int64).min  # a first period without a day holds from the start
    froms = np.array([before_all if f is None else day(f) for f, _ in shares], dtype=np.int64)
    share = np.array([v for _, v in shares], dtype=np.float64)
    per_batch = share[np.searchsorted(froms, days, side="right") - 1]
    out = np.where(waiting, NEVER, first).astype(np.int64)
    still = np.ones(len(first))
    for b, a in zip(days, per_batch, strict=True):  # a loop over batches, not people
        now = waiting & (first <= b) & (out == NEVER)
        still = np.where(now, still * (1.0 - a), still)
        out = np.where(now & (still <= draw), b, out)
    return out


def petition_probability(
    law: Law, pop: Population, review: Any, *, start: int, at_start: dict[str, np.ndarray],
    met_all_start: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Each person's probability of petitioning (see :class:`~simulator.scenario.changes.Review`).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from simulator.scenario.changes import Petition
    >>> law = NS(conventions=NS(days_per_year=365.25))
    >>> pop = NS(term=np.array([120, 240]), custody_start=np.array([0, 0]))
    >>> r = NS(petition=Petition(intercept=0.0, per_decade_term=1.0), petition_rate=1.0,
    ...        petition_rate_met_all=None)
    >>> p = petition_probability(law, pop, r, start=0, at_start={}, met_all_start=None)
    >>> [round(float(x), 3) for x in p]
    [0.731, 0.881]
    """
    if review.petition is None:
        return np.where(
            met_all_start & (review.petition_rate_met_all is not None),
            review.petition_rate_met_all or 0.0,
            review.petition_rate,
        )
    p = review.petition
    served = (start - pop.custody_start.astype(np.int64)) / law.conventions.days_per_year
    score = (
        p.intercept
        + p.per_decade_term * pop.term.astype(np.float64) / 120.0
        + p.per_decade_served * np.maximum(served, 0.0) / 10.0
    )
    return expit(score + criteria_weight(p.weights, at_start))


def _batched(reviewed: np.ndarray, batches: list | None) -> np.ndarray:
    """Decision day of each review: the first batch day on or after it (``NEVER`` after the last).

    Examples
    --------
    >>> _batched(np.array([5, 10, 11, 30]), [day("1970-01-11"), day("1970-01-21")]).tolist()
    [10, 10, 20, 2147483647]
    """
    if batches is None:
        return reviewed
    days = np.array([day(b) for b in batches], dtype=np.int64)
    i = np.searchsorted(days, reviewed, side="left")
    return np.where(i < len(days), days[np.minimum(i, len(days) - 1)], NEVER).astype(np.int64)


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
    rate = petition_probability(
        law, pop, review, start=start, at_start=at_start, met_all_start=met_all_start
    )
    petition = in_custody & (person_uniform(pop.id, seed, "petition") < rate)
    order = person_uniform(pop.id, seed, "review_order")
    dpm = law.conventions.days_per_month
    capacity = Capacity.of(review.capacity_periods(), start=start, scale=pop.scale,
                           days_per_month=dpm)  # fmt: skip
    reviewed = np.full(len(pop), start, dtype=np.int64)
    if review.arrival_months is None:
        filed_on = np.full(len(pop), start, dtype=np.int64)
        idx = np.flatnonzero(petition)
        rank = np.empty(len(idx), dtype=np.int64)
        rank[np.argsort(order[idx], kind="stable")] = np.arange(len(idx))
        reviewed[idx] = capacity.in_order(len(idx), start=start)[rank]
    else:
        u = person_uniform(pop.id, seed, "petition_arrival").astype(np.float64)
        at = start - np.log1p(-u) * float(review.arrival_months) * dpm
        filed_on = np.where(petition, np.floor(at), start).astype(np.int64)
        petition &= pop.release_date > filed_on  # filed while still in custody
        idx = np.flatnonzero(petition)
        reviewed[idx] = capacity.in_arrival_order(at[idx], tie=order[idx])
    decided_on = np.where(petition, _batched(reviewed, review.batches), start)
    decided = petition & (decided_on <= until) & (pop.release_date > decided_on)
    judged_on = decided_on if review.arrival_months is None else filed_on
    at_decision = criteria_masks(law, pop, clem.criteria, on=judged_on, new_term=new_term)
    qualifies = decided.copy()
    for m in at_decision.values():
        qualifies &= m
    return Schedule(
        in_custody, at_start, met_all_start, petition, filed_on, decided_on, decided,
        at_decision, qualifies,
    )  # fmt: skip


def selection_probability(
    selection: Any, masks: dict[str, np.ndarray], *, life: np.ndarray
) -> np.ndarray:
    """The logistic of ``selection``'s score for each person (criteria ``masks`` as judged).

    ``life`` marks the people serving life, whose score gains ``selection.life_sentence``.

    Examples
    --------
    >>> from simulator.scenario.changes import Selection
    >>> sel = Selection(intercept=-1.0, weights={"min_years_served": 2.0}, life_sentence=1.0)
    >>> p = selection_probability(sel, {"min_years_served": np.array([True, False, False])},
    ...                           life=np.array([False, False, True]))
    >>> [round(float(x), 3) for x in p]
    [0.731, 0.269, 0.5]
    """
    score = float(selection.intercept) + float(selection.life_sentence) * life
    return expit(score + criteria_weight(selection.weights, masks))


def criteria_weight(weights: Any, masks: dict[str, np.ndarray]) -> np.ndarray | float:
    """The sum of each criterion's weight over the people who meet it (a score's criteria part).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> criteria_weight(NS(a=1.0, b=-0.5), {"a": np.array([True, False]),
    ...                                      "b": np.array([True, True])}).tolist()
    [0.5, -0.5]
    """
    total: np.ndarray | float = 0.0
    for name, mask in masks.items():
        total = total + getattr(weights, name) * mask
    return total


def commuted_term(pop: Population, new_term: np.ndarray, commutation: Any) -> np.ndarray:
    """The term a commutation leaves: today's, or today's cut held within ``commutation``'s bounds.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from simulator.scenario.changes import Commutation
    >>> pop = NS(term=np.array([100, 100, 100], dtype=np.int16))
    >>> commuted_term(pop, np.array([10, 70, 100]), Commutation(min_cut=0.1, max_cut=0.5)).tolist()
    [50, 70, 90]
    """
    if commutation is None:
        return new_term
    term = pop.term.astype(np.float64)
    today = np.where(term > 0, 1.0 - new_term / np.maximum(term, 1.0), 0.0)
    cut = np.clip(today, float(commutation.min_cut), float(commutation.max_cut))
    return np.rint(term * (1.0 - cut)).astype(np.int16)


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
    life = pop.term >= law.life_months
    if clem.selection is None:
        eligible, prob = flow.qualifies, grant_prob
    else:
        eligible = flow.decided.copy()
        for name in clem.selection.required:
            eligible &= flow.at_decision[name]
        prob = grant_prob * selection_probability(clem.selection, flow.at_decision, life=life)
    granted = grants(eligible, uniforms, prob)
    shares = clem.review.batch_shares()
    if shares is not None:  # favourable petitions wait for a batch that acts on them
        acted = acted_on(granted, flow.decided_on, batches=clem.review.batches, shares=shares,
                         draw=person_uniform(pop.id, pop.seed, "batch_act"))  # fmt: skip
        last = day(clem.review.until) if clem.review.until else NEVER
        flow = flow.deciding(np.where(granted, acted, flow.decided_on), pop.release_date,
                             until=last)  # fmt: skip
        eligible = eligible & flow.decided
        granted = granted & flow.decided
    decided_on = flow.decided_on

    lag = clem.release_lag
    lag_months = np.where(
        life, lag.months if lag.life_months is None else lag.life_months, lag.months
    )
    earliest = decided_on + np.ceil(lag_months * law.conventions.days_per_month).astype(np.int64)
    cut_term = commuted_term(pop, new_term, clem.commutation)
    commuted = pop.release_for(law, cut_term).astype(np.int64)
    release = bounded_release(granted, commuted, earliest, pop.release_date)
    undelayed = bounded_release(granted, commuted, decided_on, pop.release_date)
    term = np.where(granted, cut_term, pop.term).astype(np.int16)
    until = day(clem.review.until) if clem.review.until else None
    details = _details(law, flow, granted, release, life, pop.release_date, until=until,
                       start=start, batches=clem.review.batches)  # fmt: skip
    return Reduction(
        old=old,
        new=new,
        eligible=eligible,
        granted=granted,
        reduced_term=cut_term,
        term=term,
        release=release,
        lowered=cut_term < pop.term,
        release_undelayed=undelayed,
        saved_as_projected=saved_as_projected(law, pop, granted, term, decided_on, on=start),
        details={"clemency": details},
    )


def _by_year(days: np.ndarray) -> dict[str, int]:
    years = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[Y]")
    names, counts = np.unique(years.astype(str), return_counts=True)
    return {str(k): int(v) for k, v in zip(names, counts, strict=True)}


def month_ends(first: int, last: int) -> tuple[list[str], np.ndarray]:
    """The months from the one holding day ``first`` to the one holding ``last``; their last days.

    Examples
    --------
    >>> names, ends = month_ends(day("2015-12-18"), day("2016-01-02"))
    >>> names, [iso(int(e)) for e in ends]
    (['2015-12', '2016-01'], ['2015-12-31', '2016-01-31'])
    """
    m0 = (EPOCH + np.timedelta64(int(first), "D")).astype("datetime64[M]")
    m1 = (EPOCH + np.timedelta64(int(max(first, last)), "D")).astype("datetime64[M]")
    months = np.arange(m0, m1 + 1)
    ends = ((months + 1).astype("datetime64[D]") - EPOCH).astype(np.int64) - 1
    return [str(m) for m in months], ends


def flow_by_month(
    flow: Schedule, granted: np.ndarray, release_date: np.ndarray, *, first: int, last: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Petitions pending and grants so far (cumulative) at the end of each month.

    A petition is pending from the day it is filed to the day it is decided or its petitioner
    leaves custody, whichever comes first.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> f = NS(petition=np.array([True, True, False]), filed_on=np.array([0, 40, 0]),
    ...        decided_on=np.array([35, 70, 0]))
    >>> flow_by_month(f, np.array([True, False, False]), np.array([99, 99, 99]), first=0, last=70)
    ({'1970-01': 1, '1970-02': 1, '1970-03': 0}, {'1970-01': 0, '1970-02': 1, '1970-03': 1})
    """
    names, ends = month_ends(first, last)
    p = flow.petition
    filed = np.sort(flow.filed_on[p])
    left = np.sort(np.minimum(flow.decided_on[p], release_date[p].astype(np.int64)))
    pending = np.searchsorted(filed, ends, side="right") - np.searchsorted(left, ends, side="right")
    so_far = np.searchsorted(np.sort(flow.decided_on[granted]), ends, side="right")
    return (
        {k: int(v) for k, v in zip(names, pending, strict=True)},
        {k: int(v) for k, v in zip(names, so_far, strict=True)},
    )


def _details(
    law: Law,
    flow: Schedule,
    granted: np.ndarray,
    release: np.ndarray,
    life: np.ndarray,
    baseline: np.ndarray,
    *,
    until: int | None,
    start: int,
    batches: list | None,
) -> dict:
    """The clemency figures of the summary (counts, spread of decisions and releases).

    With ``batches``, also the grants of each batch day and the life sentences among them
    (``grants_by_batch``, ``life_grants_by_batch``, as ``{"YYYY-MM-DD": count}``).
    """
    in_custody, decided, decided_on = flow.in_custody, flow.decided, flow.decided_on
    met_all = flow.met_all_start
    lag = (release[granted].astype(np.int64) - decided_on[granted]) / law.conventions.days_per_month
    if until is not None:
        last = until
    elif batches:
        last = day(batches[-1])
    else:
        last = int(decided_on[decided].max()) if decided.any() else start
    backlog, so_far = flow_by_month(flow, granted, baseline, first=start, last=last)
    n = int(granted.sum())
    out = {
        "in_custody": int(in_custody.sum()),
        "criteria": {k: int((m & in_custody).sum()) for k, m in flow.at_start.items()},
        "met_all": int(met_all.sum()),
        "petitions": int(flow.petition.sum()),
        "decided": int(decided.sum()),
        "decided_met_all": int(flow.qualifies.sum()),
        "granted": n,
        "granted_met_all": int((granted & flow.qualifies).sum()),
        "granted_met_all_share": round(float((granted & flow.qualifies).sum() / n), 4)
        if n
        else 0.0,
        "met_all_granted": int((granted & met_all).sum()),
        "met_all_granted_share": (
            round(float((granted & met_all).sum() / met_all.sum()), 4) if met_all.any() else 0.0
        ),
        "granted_life": int((granted & life).sum()),
        "granted_life_share": round(float(life[granted].mean()), 3) if granted.any() else 0.0,
        "median_months_grant_to_release": round(float(np.median(lag)), 1) if lag.size else None,
        "last_decision": iso(int(decided_on[decided].max())) if decided.any() else None,
        "decisions_by_year": _by_year(decided_on[decided]),
        "grants_by_year": _by_year(decided_on[granted]),
        "releases_by_year": _by_year(release[granted]),
        "backlog_by_month": backlog,
        "grants_by_month": so_far,
    }
    if batches:  # the grants of each batch day, and the life sentences among them
        on_batch = {iso(b): granted & (decided_on == b) for b in (day(d) for d in batches)}
        out["grants_by_batch"] = {k: int(m.sum()) for k, m in on_batch.items()}
        out["life_grants_by_batch"] = {k: int((m & life).sum()) for k, m in on_batch.items()}
    return out
