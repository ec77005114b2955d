"""Prison population projections: month by month, baseline against reform, with new admissions.

:func:`project` follows the stock in custody on the snapshot date and the yearly admission
cohorts that come after it, person by person, over a horizon (default ten years), twice:

baseline
    the world without the scenario's changes: the stock serves its terms as they stand, and new
    cases are sentenced under the law of their sentencing date (``data/law``), except that the
    Drug Quantity Table of every drug a ``drug_table`` (or ``crack_powder_ratio``) change
    replaces stays the one in force the day before the change took effect;
reform
    changes that apply to people already sentenced (``applies: retroactive`` or ``both``) go
    through the engine (:func:`simulator.model.apply.apply`, with its grant model and release
    dates); changes that apply to new cases (``prospective`` or ``both``) sentence every new
    case sentenced on or after their effective day under the amended law; a
    ``charging_policy`` change sets the share of new low-level cases charged with a
    mandatory-minimum quantity.

New cases come from the same cohort generator as the stock (:mod:`simulator.inputs.forward`)
with a seed derived from the scenario's, so the stock is exactly what :func:`synthesize` builds.
Their number follows the parameter file's admissions series (which runs to FY2025), then the
recent trend, capped (see :class:`simulator.scenario.document.Projection`).

Counting: the population at the end of each month is everyone sentenced and not yet released
on its last day (as :func:`simulator.model.population.in_custody` counts). Admissions of a month are
new cases sentenced in it, releases are people whose release day falls in it (after the
snapshot day), so ``population(m) = population(m - 1) + admissions(m) - releases(m)`` holds
exactly, the opening population being the stock on the snapshot day. Bed-years are the sum of
the daily population over the horizon divided by the days of a year (``conventions.yaml``).

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines_prospective.yaml")
>>> p = project(s, size=0.02, years=2)
>>> m = p.monthly
>>> list(m.columns[:4])
['month', 'baseline', 'reform', 'difference']
>>> bool((m["reform"] <= m["baseline"]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from simulator import lazy
from simulator.calendar import EPOCH, day, iso, month_index, month_label
from simulator.inputs.cohorts import priors_851
from simulator.inputs.exits import custody_ends
from simulator.inputs.forward import new_cases
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import generate
from simulator.law import DRUGS, Law, conventions, load_law
from simulator.model.apply import apply, life_counted_as
from simulator.model.changes import Resolved, resolve_changes
from simulator.model.population import SCHEMA, Population
from simulator.model.sentencing import guideline, impose
from simulator.scenario import Scenario
from simulator.version import __version__

pd = lazy.module("pandas")

CRACK = DRUGS.index("cocaine_base")
#: Change types that act on the stock only, or on charges only (not on the guideline).
_NOT_GUIDELINE = ("clemency", "charging_policy")


# ----------------------------------------------------------------------------- sentencing
def baseline_edition(law: Law, changes: list, drug: np.ndarray, sent: np.ndarray, effective: int):
    """Drug Quantity Table edition of new cases in the world without the scenario's changes.

    The law of the sentencing date, except that for the drugs a ``drug_table`` change (or the
    crack table of a ``crack_powder_ratio`` change) replaces, cases sentenced on or after the
    change's effective day keep the edition in force the day before it.
    """
    edition = law.edition_on(drug, sent)
    for ch in changes:
        if ch.type == "drug_table":
            codes = [DRUGS.index(d) for d in ch.drugs]
        elif ch.type == "crack_powder_ratio" and ch.guideline:
            codes = [CRACK]
        else:
            continue
        eff = day(ch.effective) if ch.effective else effective
        frozen = law.edition_on(drug, np.full(len(drug), eff - 1, dtype=np.int32))
        edition = np.where(np.isin(drug, codes) & (sent >= eff), frozen, edition)
    return edition


def charged(cases: dict, changes: list, effective: int, rule: dict) -> dict:
    """Cases with the mandatory-minimum charges of a ``charging_policy`` change (new cases only).

    From the change's effective day, a low-level case (no weapon, no aggravating role, as the
    change says) whose quantity reaches a tier is charged with it when its own uniform draw
    is under ``share``; a §851 information needs a charge, so it falls with it.
    """
    mm = cases["mm_charged"]
    for ch in changes:
        if ch.type != "charging_policy":
            continue
        eff = day(ch.effective) if ch.effective else effective
        low = cases["sentencing_date"] >= eff
        if ch.no_weapon:
            low = low & ~cases["weapon"]
        if ch.no_aggravating_role:
            low = low & (cases["role"] <= 0)
        now = np.where(cases["u_mm_charged"] < ch.share, cases["mm_supported"], 0)
        mm = np.where(low, now, mm).astype(np.int8)
    if mm is cases["mm_charged"]:
        return cases
    priors = priors_851(rule, mm, cases["chp"], cases["u_priors_851"])
    return {**cases, "mm_charged": mm, "priors_851": priors}


def sentence_new(
    law: Law,
    cases: dict,
    edition: np.ndarray,
    resolved: Resolved | None = None,
    *,
    rdap_min_term: int = 0,
) -> Population:
    """Sentence new cases under the law of their date (``edition``), or under ``resolved`` law.

    ``resolved`` is a :class:`simulator.model.changes.Resolved` (the scenario's prospective
    changes);
    people outside a change's scope get exactly the sentence of the law of their date.
    """
    sent = cases["sentencing_date"]
    n = len(sent)
    if "anticipates" in cases:
        edition = np.where(cases["anticipates"] >= 0, cases["anticipates"], edition)
    cols = {k: cases[k] for k in SCHEMA if k in cases}
    cols.update(id=np.arange(n), term=np.zeros(n), release_date=np.zeros(n))
    pop = Population.from_arrays(cols)
    if resolved is None:
        g = guideline(law, pop.cases(), edition=edition, statute_day=sent)
    else:
        g = resolved(law, pop, edition)
    term = impose(law, g, pop.position, pop.departure, pop.sub_assist, pop.firearm_924c_months)
    flags, release = custody_ends(law, cases, term, rdap_min_term)
    return pop.replace(term=term, release_date=release, **flags)


# ----------------------------------------------------------------------------- counting
def month_starts(start: int, months: int) -> np.ndarray:
    """First day of the month of ``start`` and of each of the ``months`` months after it.

    Examples
    --------
    >>> [iso(d) for d in month_starts(day("2014-11-15"), 2)]
    ['2014-11-01', '2014-12-01', '2015-01-01']
    """
    m0 = int(month_index(np.array([start]))[0])
    firsts = np.arange(m0, m0 + months + 1).astype("datetime64[M]").astype("datetime64[D]")
    return (firsts - EPOCH).astype(np.int64)


def count(entry: np.ndarray, exit_: np.ndarray, start: int, starts: np.ndarray) -> dict:
    """Daily population, and admissions, releases and population by month.

    ``entry`` (sentencing day) and ``exit_`` (release day, not in custody from it) of everyone
    in custody on ``start`` or sentenced after it; ``starts`` from :func:`month_starts`.
    Returns ``population`` at the end of each month, ``admissions`` and ``releases`` in each
    month (events after ``start``), ``bed_years`` in each month and the ``daily`` population.

    Examples
    --------
    >>> c = count(np.array([0, 5, 40]), np.array([50, 20, 45]), 0, np.array([0, 31, 59]))
    >>> c["population"].tolist(), c["admissions"].tolist(), c["releases"].tolist()
    ([1, 0], [1, 1], [1, 2])
    """
    end = int(starts[-1])
    length = end - start
    entry = entry.astype(np.int64)
    exit_ = np.maximum(exit_.astype(np.int64), entry)  # released at sentencing: in and out
    keep = (exit_ > start) & (entry < end)
    entry, exit_ = entry[keep], exit_[keep]
    ins = np.clip(entry - start, 0, None)
    outs = exit_ - start
    daily = np.cumsum(
        np.bincount(ins, minlength=length)[:length]
        - np.bincount(outs[outs < length], minlength=length)
    )
    n_months = len(starts) - 1

    def by_month(days: np.ndarray) -> np.ndarray:
        days = days[(days > start) & (days < end)]
        return np.bincount(np.searchsorted(starts, days, side="right") - 1, minlength=n_months)

    first = np.maximum(starts[:-1] - start, 0)
    return {
        "population": daily[starts[1:] - 1 - start],
        "admissions": by_month(entry),
        "releases": by_month(exit_),
        "bed_years": np.add.reduceat(daily, first) / conventions().days_per_year,
        "daily": daily,
    }


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class People:
    """Everyone the projection follows: the stock, then the new cases (arrays of equal length)."""

    new: np.ndarray  # bool: sentenced after the snapshot day
    sentencing_date: np.ndarray
    term_baseline: np.ndarray
    term_reform: np.ndarray
    release_baseline: np.ndarray
    release_reform: np.ndarray


@dataclass(frozen=True)
class Projection:
    """Population in custody month by month under the baseline and the reform.

    ``start`` is the snapshot day and ``end`` the first day after the horizon; ``counts`` holds
    numpy arrays by month (see :attr:`monthly`); ``opening`` is the stock on the snapshot day
    (the same under both); ``people`` the per-person dates behind the counts.
    """

    scenario: Scenario
    start: int
    end: int
    months: np.ndarray
    counts: dict[str, np.ndarray]
    opening: int
    people: People
    meta: dict

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """One row per month, as a DataFrame.

        Columns: ``month`` (``YYYY-MM``), ``baseline`` and ``reform`` (population at the end of
        the month), ``difference`` (reform - baseline), ``admissions_*`` and ``releases_*`` in
        the month, and ``bed_years_saved_cumulative``.
        """
        c = self.counts
        saved = np.cumsum(c["bed_years_baseline"] - c["bed_years_reform"])
        return pd.DataFrame(
            {
                "month": self.months,
                "baseline": c["baseline"],
                "reform": c["reform"],
                "difference": c["reform"] - c["baseline"],
                "admissions_baseline": c["admissions_baseline"],
                "admissions_reform": c["admissions_reform"],
                "releases_baseline": c["releases_baseline"],
                "releases_reform": c["releases_reform"],
                "bed_years_saved_cumulative": np.round(saved, 2),
            }
        )

    @cached_property
    def yearly(self) -> pd.DataFrame:
        """One row per projection year: populations at its end, flows in it, savings so far."""
        m = self.monthly
        year = np.arange(len(m)) // 12
        last = m.groupby(year).tail(1).reset_index(drop=True)
        flows = m.groupby(year)[
            ["admissions_baseline", "admissions_reform", "releases_baseline", "releases_reform"]
        ].sum()
        per_bed = self.scenario.costs.per_bed_year
        return pd.DataFrame(
            {
                "year": np.arange(1, len(last) + 1),
                "month": last["month"],
                "baseline": last["baseline"],
                "reform": last["reform"],
                "difference": last["difference"],
                "bed_years_saved_cumulative": last["bed_years_saved_cumulative"],
                "cost_saved_cumulative_usd": np.round(
                    last["bed_years_saved_cumulative"] * per_bed, 0
                ),
                **{k: flows[k].to_numpy() for k in flows.columns},
            }
        )

    @cached_property
    def summary(self) -> dict:
        """Headline figures, provenance and the yearly rows, JSON-ready."""
        c = self.counts
        saved = float((c["bed_years_baseline"] - c["bed_years_reform"]).sum())
        five = 12 * 5 - 1
        out = {
            "scenario": self.scenario.title,
            **self.meta,
            "start": iso(self.start),
            "end": iso(self.end),
            "opening_population": self.opening,
            "baseline_end": int(c["baseline"][-1]),
            "reform_end": int(c["reform"][-1]),
            "difference_end": int(c["reform"][-1] - c["baseline"][-1]),
            "difference_after_5_years": (
                int(c["reform"][five] - c["baseline"][five]) if len(self.months) > five else None
            ),
            "bed_years_baseline": round(float(c["bed_years_baseline"].sum()), 1),
            "bed_years_reform": round(float(c["bed_years_reform"].sum()), 1),
            "bed_years_saved": round(saved, 1),
            "cost_saved_usd": round(saved * self.scenario.costs.per_bed_year, 0),
            "admissions_baseline": int(c["admissions_baseline"].sum()),
            "admissions_reform": int(c["admissions_reform"].sum()),
            "releases_baseline": int(c["releases_baseline"].sum()),
            "releases_reform": int(c["releases_reform"].sum()),
            "yearly": [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in self.yearly.to_dict(orient="records")
            ],
        }
        return out


# ----------------------------------------------------------------------------- the projection
def project(
    scenario: Scenario,
    *,
    seed: int | None = None,
    size: float | None = None,
    years: int | None = None,
    population: Population | None = None,
) -> Projection:
    """Project the population in custody month by month, baseline against reform.

    Parameters
    ----------
    scenario : Scenario
        The changes (each with ``applies``), the population and the ``projection`` settings.
    seed : int, optional
        Seed of every draw (default: the scenario's).
    size : float, optional
        Scale of the population (default: the scenario's ``population.size``).
    years : int, optional
        Horizon in years (default: ``projection.years``, or 10).
    population : Population, optional
        The stock on the snapshot day, if already built with the same seed and size.

    Returns
    -------
    Projection
    """
    law = load_law()
    spec, settings = scenario.population, scenario.projection
    seed = scenario.seed if seed is None else int(seed)
    size = spec.size if size is None else float(size)
    years = years or (settings.years if settings is not None else 10)
    # the parameter file as synthesize finds it (relative to the scenario where it can be)
    resolve = getattr(spec, "parameters_path", None)
    params = load_parameters(resolve() if resolve and spec.parameters else spec.parameters)
    snap = day(spec.snapshot) if spec.snapshot else params.snapshot
    effective = day(scenario.retroactivity.effective)
    stock = population
    if stock is None:
        stock = generate(params, seed=seed, size=size, snapshot=snap)
    # life as the scenario counts it, in the baseline as in the reform
    life = scenario.conventions.life_months if scenario.conventions else None
    law, stock = life_counted_as(law, stock, life)

    starts = month_starts(snap, 12 * years)
    end = int(starts[-1])
    changes = list(scenario.changes)
    retro = [ch for ch in changes if ch.reaches in ("retroactive", "both")]
    new_law = ("prospective", "both")
    prosp = [ch for ch in changes if ch.reaches in new_law and ch.type not in _NOT_GUIDELINE]

    # the stock: as it stands, and after the changes that reach people already sentenced
    stock_reform = stock.release_date
    stock_term = stock.term
    if retro:
        red = apply(stock, scenario, law=law).reduction
        stock_reform, stock_term = red.release, red.term

    # new cases: the cohorts of the snapshot's fiscal year to the horizon's, after the snapshot
    fy = conventions().fiscal_year
    cases = new_cases(params, settings, seed, size, fy(snap), fy(end - 1))
    keep = (cases["sentencing_date"] > snap) & (cases["sentencing_date"] < end)
    cases = {k: v[keep] for k, v in cases.items()}
    sent = cases["sentencing_date"]
    edition = baseline_edition(law, changes, cases["drug"], sent, effective)
    rdap_min_term = int(params.assumed["rdap"]["min_term_months"])
    base = sentence_new(law, cases, edition, rdap_min_term=rdap_min_term)
    reform_cases = charged(cases, changes, effective, params.assumed["priors_851"])
    resolved = resolve_changes(law, prosp, effective=effective) if prosp else None
    if resolved is None and reform_cases is cases:
        reform = base
    else:
        reform = sentence_new(law, reform_cases, edition, resolved, rdap_min_term=rdap_min_term)
    if retro and (sent < effective).any():  # sentenced before a retroactive change took effect
        retro_only = scenario.model_copy(update={"changes": retro})
        red = apply(reform, retro_only, law=law).reduction
        reform = reform.replace(term=red.term, release_date=red.release)

    people = People(
        new=np.concatenate([np.zeros(len(stock), bool), np.ones(len(sent), bool)]),
        sentencing_date=np.concatenate([stock.sentencing_date, sent]),
        term_baseline=np.concatenate([stock.term, base.term]),
        term_reform=np.concatenate([stock_term, reform.term]),
        release_baseline=np.concatenate([stock.release_date, base.release_date]),
        release_reform=np.concatenate([stock_reform, reform.release_date]),
    )
    b = count(people.sentencing_date, people.release_baseline, snap, starts)
    r = count(people.sentencing_date, people.release_reform, snap, starts)
    counts = {
        "baseline": b["population"],
        "reform": r["population"],
        "admissions_baseline": b["admissions"],
        "admissions_reform": r["admissions"],
        "releases_baseline": b["releases"],
        "releases_reform": r["releases"],
        "bed_years_baseline": b["bed_years"],
        "bed_years_reform": r["bed_years"],
    }
    meta = {
        "seed": seed,
        "size": size,
        "snapshot": iso(snap),
        "years": years,
        "scenario_sha256": scenario.sha256(),
        "version": __version__,
    }
    first_month = month_index(np.array([snap]))[0]
    months = month_label(np.arange(len(starts) - 1) + first_month, is_month=True)
    return Projection(scenario, snap, end, months, counts, len(stock), people, meta)


__all__ = ["People", "Projection", "count", "month_starts", "project"]
