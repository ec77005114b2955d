"""``apply(population, scenario)``: the one entry point from a scenario to an outcome.

It reads the grant assumptions, resolves the scenario's changes against the law (or hands a
clemency scenario to its review process), runs the vectorized kernel
(:func:`simulator.model.reduction.reduce`) and wraps the per-person result in an
:class:`~simulator.model.outcomes.Outcome`. It is pure: no I/O, no global state, no Python loop
over people, and the population is never changed.

Examples
--------
>>> import simulator as sim
>>> scenario = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> population = sim.synthesize(scenario.population, seed=1, size=0.05)
>>> outcome = apply(population, scenario)
>>> 0 < outcome.summary["eligible"] < outcome.summary["population"]
True
"""

from __future__ import annotations

import dataclasses

import numpy as np

from simulator.calendar import day
from simulator.law import Law, load_law
from simulator.model.changes import amendment_for, change_label
from simulator.model.clemency import commute
from simulator.model.outcomes import Outcome
from simulator.model.population import Population
from simulator.model.reduction import Reduction, grant_probability, reduce
from simulator.scenario import Scenario


def reduce_scenario(
    law: Law,
    pop: Population,
    scenario: Scenario,
    *,
    effective: int,
    earliest_release: int | None,
    grant_prob: np.ndarray,
    uniforms: np.ndarray,
) -> Reduction:
    """Apply every change of a scenario (see :func:`simulator.model.reduction.reduce`).

    A scenario with a clemency change is decided by :func:`simulator.model.clemency.commute`.
    A scenario with several changes also reports, in ``details["by_change"]``, whom each change
    alone would make eligible.
    """
    if any(ch.type == "clemency" for ch in scenario.changes):
        return commute(law, pop, scenario, grant_prob=grant_prob, uniforms=uniforms)
    kwargs = dict(
        effective=effective,
        earliest_release=earliest_release,
        grant_prob=grant_prob,
        uniforms=uniforms,
        process=scenario.retroactivity.process,
    )
    red = reduce(law, pop, amendment_for(law, scenario.changes, effective=effective), **kwargs)
    if len(scenario.changes) < 2:
        return red
    rows = []
    for i, ch in enumerate(scenario.changes):
        alone = reduce(law, pop, amendment_for(law, [ch], effective=effective), **kwargs)
        cut = (pop.term.astype(np.float64) - alone.reduced_term)[alone.eligible]
        rows.append(
            {
                "change": change_label(ch, i),
                "eligible": int(alone.eligible.sum()),
                "granted": int(alone.granted.sum()),
                "mean_reduction_months": round(float(cut.mean()), 2) if cut.size else 0.0,
            }
        )
    return dataclasses.replace(red, details={**red.details, "by_change": rows})


def life_counted_as(law: Law, pop: Population, months: int | None) -> tuple[Law, Population]:
    """The law and the people with life counted as ``months`` (``None``: as the law counts it).

    A scenario's ``conventions.life_months``: every table cell that holds life counts as
    ``months`` (:meth:`~simulator.law.Law.with_life_months`), so do the terms of the people
    serving life (coded as the law's life), and their release day is recomputed from it (life
    earns no good-conduct time). Terms of years are left as they are. What moves is the
    arithmetic that counts life: the release and bed-years of a life term cut, a term's place in
    a range whose top is life, and the comparable cut of a substantial-assistance sentence below
    a life minimum (USSG §1B1.10(b)(2)(B)).

    Examples
    --------
    >>> import simulator as sim
    >>> pop = sim.synthesize(None, seed=1, size=0.02)
    >>> law = sim.load_law()
    >>> law2, pop2 = life_counted_as(law, pop, 600)
    >>> life = pop.term == law.life_months
    >>> bool((pop2.term[life] == 600).all()), bool((pop2.term[~life] == pop.term[~life]).all())
    (True, True)
    >>> bool((pop2.release_date[life] > pop.release_date[life]).all())
    True
    """
    if months is None or int(months) == law.life_months:
        return law, pop
    counted = law.with_life_months(int(months))
    life = pop.term == law.life_months
    if not life.any():
        return counted, pop
    term = np.where(life, counted.life_months, pop.term).astype(pop.term.dtype)
    release = np.where(
        life, counted.release_day(pop.custody_start, term, pop.infractions), pop.release_date
    )
    return counted, pop.replace(term=term, release_date=release)


def covariate(population: Population, name: str) -> np.ndarray:
    """A trait a grant modifier names, as numbers: a flag, a count, or the history category.

    ``category`` is the criminal history category counted from I (0) to VI (5).

    Examples
    --------
    >>> import simulator as sim
    >>> pop = sim.synthesize(None, seed=1, size=0.01)
    >>> int(covariate(pop, "category").max()) <= 5
    True
    """
    values = population.category() if name == "category" else getattr(population, name)
    return values.astype(np.float64)


def apply(
    population: Population,
    scenario: Scenario,
    *,
    law: Law | None = None,
    uniforms: np.ndarray | None = None,
) -> Outcome:
    """Apply a scenario's retroactive change to a population.

    Parameters
    ----------
    population : Population
        The people in custody (synthetic or read from a file).
    scenario : Scenario
        What changes, when, and the grant and cost assumptions.
    law : Law, optional
        Law tables (loaded from ``data/law`` by default).
    uniforms : ndarray, optional
        Each person's uniform draw for the grant decision (default: the population's
        ``u_grant``); the generator's replays pass draws of their own.

    Returns
    -------
    Outcome
        Per-person results, release waves and the summary.
    """
    life = scenario.conventions.life_months if scenario.conventions else None
    law, population = life_counted_as(law or load_law(), population, life)
    r = scenario.retroactivity
    effective = day(r.effective)
    earliest = day(r.earliest_release) if r.earliest_release else None
    covariates = {  # only the traits a modifier names are read
        name: covariate(population, name) for name in scenario.grant.modifiers
    }
    prob = grant_probability(
        scenario.grant.rate, scenario.grant.modifiers, covariates, len(population)
    )
    red = reduce_scenario(
        law,
        population,
        scenario,
        effective=effective,
        earliest_release=earliest,
        grant_prob=prob,
        uniforms=population.u_grant if uniforms is None else uniforms,
    )
    return Outcome(population, scenario, red, law)
