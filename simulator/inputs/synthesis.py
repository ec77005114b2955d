"""The synthetic population: yearly admission cohorts sentenced under their own law.

For each fiscal year from ``first_cohort`` to the snapshot, a cohort of drug-trafficking cases is
drawn (:mod:`simulator.inputs.cohorts`). Each case is sentenced by
:mod:`simulator.model.sentencing` under the law in force on its sentencing date; earlier
retroactive amendments (:mod:`simulator.law.amendments`) are replayed with the engine on the
cohorts they reached. The stock is everyone still in custody on the snapshot date.

Examples
--------
>>> params = load_parameters()
>>> pop = generate(params, seed=5, size=0.02)
>>> bool((pop.release_date > pop.custody_start).all())
True
"""

from __future__ import annotations

import functools

import numpy as np

from simulator.calendar import day, iso
from simulator.errors import ScenarioError
from simulator.inputs.cohorts import Streams, draw_cases, exit_days
from simulator.inputs.exits import custody_ends
from simulator.inputs.parameters import Parameters, load_parameters
from simulator.law import DRUGS, Law, conventions, load_law, retroactive_amendments
from simulator.model.apply import apply
from simulator.model.population import SCHEMA, Population, in_custody
from simulator.model.reduction import Reduction
from simulator.model.sentencing import guideline, impose
from simulator.resources import project_file
from simulator.scenario import PopulationSpec, Scenario, load_scenario


def sentence(
    law: Law, cases: dict[str, np.ndarray], *, rdap_min_term: int = 0
) -> dict[str, np.ndarray]:
    """Sentence each case under the law in force on its sentencing date; add term and release.

    Drawn cases also leave custody early after RDAP or with time credits, die in custody, or are
    released on compassionate grounds (:func:`simulator.inputs.exits.custody_ends`; terms under
    ``rdap_min_term`` months leave no time for RDAP). Cases flagged ``anticipates`` (an optional
    column holding an edition index, -1 for none) are sentenced as if that Drug Quantity Table
    edition applied, by a variance, while their guideline range stays the one of their date. A
    consecutive §924(c) term (``firearm_924c_months``) is added to the drug term. Drawn cases
    carry the statutory tier their quantity reaches on their sentencing date
    (``mm_supported``); the tier is read from the quantity for other cases.
    """
    sent = cases["sentencing_date"]
    edition = law.edition_on(cases["drug"], sent)
    if "anticipates" in cases:
        edition = np.where(cases["anticipates"] >= 0, cases["anticipates"], edition)
    tier = None
    if "mm_supported" in cases:  # drawn cases carry the tier their quantity reaches that day
        tier = np.minimum(cases["mm_charged"], cases["mm_supported"])
    g = guideline(law, cases, edition=edition, statute_day=sent, tier=tier)
    firearm = cases.get("firearm_924c_months", 0)
    term = impose(law, g, cases["position"], cases["departure"], cases["sub_assist"], firearm)
    flags, release = custody_ends(law, cases, term, rdap_min_term)
    return {**cases, **flags, "term": term, "release_date": release}


def replay_amendments(law: Law, pop: Population, until: int, seed: int) -> Population:
    """Apply the earlier retroactive changes that took effect before ``until``.

    Each change (``data/law/retroactive_amendments.yaml``) reaches the people sentenced before
    it and in custody on its effective day, and is decided as its scenario decides it: the
    scenario's changes, grant model and courts' process, with grant draws from the change's own
    stream. A granted motion lowers the term and moves the release; the person's range then
    rests on the guidelines of the change's day (``table_date``) and on the statutory tier the
    change left (``mm_charged``), so a later change starts from the reduced sentence; the
    change is recorded in ``reduced_by`` (bit *i* for the *i*-th change), and a motion decided
    and denied in ``denied_by`` (a later change may exclude those, as First Step Act §404(c)
    does: the scope key ``denied_before``).

    ``pop.id`` numbers the cases of the whole draw (:func:`drawn_cases`): case *i* gets the
    *i*-th draw of a change's stream, whether ``pop`` holds every case or only some.
    """
    rng = Streams(seed)
    for bit, am in enumerate(retroactive_amendments()):
        effective = am.effective
        if effective >= until:  # a stock on the effective day is the one the change met
            continue
        scenario = _scenario(am.scenario)
        reach = _reached(scenario, effective, pop.sentencing_date, pop.release_date, pop.drug)
        sub = pop.take(reach)
        # the change's stream up to the last case it reaches (a stream's first draws do not
        # depend on how many follow); each case's draw picked by its id
        u = rng.uniform(f"amendment.{am.name}", int(sub.id.max()) + 1 if len(sub) else 0)
        red = apply(sub, scenario, law=law, uniforms=u[sub.id]).reduction
        granted = red.granted
        at = np.flatnonzero(reach)
        term, release = pop.term.copy(), pop.release_date.copy()
        table, tier = pop.table_date.copy(), pop.mm_charged.copy()
        reduced_by, denied_by = pop.reduced_by.copy(), pop.denied_by.copy()
        term[at], release[at] = red.term, red.release
        table[at] = np.where(granted, effective, sub.table_date)
        lowered = granted & (red.new.tier < red.old.tier)  # a statutory change cut the tier
        tier[at] = np.where(lowered, red.new.tier, sub.mm_charged)
        reduced_by[at[granted]] |= np.int8(1 << bit)
        denied_by[at[decided_motions(red, sub.release_date) & ~granted]] |= np.int8(1 << bit)
        pop = pop.replace(
            term=term, release_date=release, table_date=table, mm_charged=tier,
            reduced_by=reduced_by, denied_by=denied_by,
        )  # fmt: skip
    return pop


def decided_motions(red: Reduction, release: np.ndarray) -> np.ndarray:
    """Eligible people whose motion was decided.

    Without a courts' process every eligible person's motion is decided on the effective day;
    with one, those who filed and whose motion was decided while they were in custody.
    """
    if red.docket is None:
        return red.eligible
    d = red.docket
    return red.eligible & d.filed & (d.decided_on < release)


def _reached(
    scenario: Scenario,
    effective: int,
    sentenced: np.ndarray,
    release: np.ndarray,
    drug: np.ndarray,
) -> np.ndarray:
    """Who a retroactive change reaches: sentenced before it, in custody on its day.

    A change of some drugs' law (every change of ``scenario`` names its drugs) reaches no one
    else.
    """
    reach = (sentenced < effective) & (release > effective)
    drugs = _drugs_named(scenario)
    if drugs is not None:
        named = np.zeros(len(DRUGS), dtype=bool)
        named[drugs] = True
        reach &= named[drug]
    return reach


def may_count(
    until: int, sentenced: np.ndarray, release: np.ndarray, drug: np.ndarray
) -> np.ndarray:
    """Which cases can count in the stock on ``until``, the changes before it replayed.

    A case counts if it is in custody after ``until``, or if a change replayed before
    ``until`` reaches it (:func:`replay_amendments`). A case no change reaches keeps its
    release, so one released by ``until`` is in no stock on it; and since releases only come
    earlier, a case ruled out with a release is ruled out with any earlier one. Cases
    sentenced after ``until`` never count.
    """
    keep = release > until
    for am in retroactive_amendments():
        if am.effective < until:
            keep |= _reached(_scenario(am.scenario), am.effective, sentenced, release, drug)
    return keep & (sentenced <= until)


def _drugs_named(scenario: Scenario) -> list[int] | None:
    """The drug codes a scenario's changes name, when every change names its drugs."""
    named = [getattr(ch, "drugs", None) for ch in scenario.changes]
    if any(d is None for d in named):
        return None
    return sorted({DRUGS.index(d) for drugs in named for d in drugs})


@functools.cache
def _scenario(path: str) -> Scenario:
    """A scenario of the project (a retroactive change's ``scenario``), loaded once."""
    return load_scenario(project_file(path))


#: Fiscal years past the last one of the admissions series (which holds its last level there)
#: for which a stock may still be built: as many as the longest projection covers.
FLAT_YEARS = 30


def stock_days(params: Parameters) -> tuple[int, int]:
    """The first and last day a stock can be built for, from the parameters' cohorts.

    From the first day of the first admission cohort's fiscal year (``assumed.first_cohort``)
    to the end of the fiscal year :data:`FLAT_YEARS` after the admissions series' last.

    Examples
    --------
    >>> [iso(d) for d in stock_days(load_parameters())]
    ['1987-10-01', '2054-09-30']
    """
    a, fy = params.assumed, conventions()
    last = max(int(year) for year in a["admissions"]) + FLAT_YEARS
    return fy.fiscal_year_start(int(a["first_cohort"])), fy.fiscal_year_end(last)


def admissions(
    params: Parameters,
    *,
    seed: int,
    size: float = 1.0,
    until: int | None = None,
    replay_until: int | None = None,
    drawn: Population | None = None,
) -> Population:
    """Every case sentenced up to ``until``, with its term as it stands on ``replay_until``.

    Earlier retroactive amendments that took effect before ``replay_until`` (``until`` by
    default) are replayed on the people they reached: cases drawn past a stock's day for their
    own figures must not carry the changes of later days. The ``id`` column numbers the cases
    of the whole draw. ``drawn`` may pass :func:`drawn_cases` of the same seed and size through
    ``until`` or later, to reuse it: a case's draws do not depend on the cut.

    Raises
    ------
    ScenarioError
        When ``until`` (the scenario's ``population.snapshot``) is outside :func:`stock_days`.
    """
    until = params.snapshot if until is None else until
    everyone = drawn_cases(params, seed=seed, size=size, until=until) if drawn is None else drawn
    everyone = replay_amendments(
        load_law(), everyone, until if replay_until is None else replay_until, seed
    )
    sentenced = everyone.sentencing_date <= until
    return everyone if sentenced.all() else everyone.take(sentenced)


def drawn_cases(
    params: Parameters,
    *,
    seed: int,
    size: float,
    until: int,
    stock_only: bool = False,
) -> Population:
    """Every case drawn through the fiscal year of ``until``, sentenced under its own law.

    No retroactive change is replayed (:func:`admissions` does that). With ``stock_only``,
    only the cases that can count in the stock on ``until`` by their release day before
    deaths and compassionate releases are kept (:func:`may_count`; those exits only bring
    custody's end earlier), and the exits are computed for those cases only. Ids number the
    cases of the whole draw either way. Raises as :func:`admissions` does for a day outside
    :func:`stock_days`.
    """
    first, last = stock_days(params)
    if not first <= until <= last:
        source = params.path.name if params.path else "the generator's parameters"
        raise ScenarioError(
            f"population.snapshot: {iso(until)}: a synthetic stock can be built from "
            f"{iso(first)} to {iso(last)} (the admission cohorts of {source} begin in fiscal "
            f"year {params.assumed['first_cohort']}; its admissions series is held flat "
            f"{FLAT_YEARS} years past its last year)"
        )
    drawn = draw_cases(params, seed, size, conventions().fiscal_year(until), exits=False)
    cases = sentence(  # no exit days yet: custody ends on the release day
        load_law(), drawn, rdap_min_term=int(params.assumed["rdap"]["min_term_months"])
    )
    release = cases["release_date"]
    cases["id"] = np.arange(len(release), dtype=np.int32)
    kept = {name: cases[name] for name in SCHEMA if name in cases and name != "release_date"}
    if stock_only:
        at = np.flatnonzero(may_count(until, cases["sentencing_date"], release, cases["drug"]))
        release = release.take(at)
        exits = exit_days(params, drawn, at, release=release)
    else:
        exits = exit_days(params, drawn)
    release = np.minimum(release, exits["death_date"])
    release = np.minimum(release, exits["compassionate_date"])
    if stock_only:
        kept = {name: column.take(at) for name, column in kept.items()}
    kept["release_date"] = release
    return Population.from_arrays(kept, {"seed": int(seed), "size": float(size)})


def generate(
    params: Parameters,
    *,
    seed: int,
    size: float = 1.0,
    snapshot: int | None = None,
    everyone: Population | None = None,
) -> Population:
    """Build the stock in custody on ``snapshot`` (the parameters' snapshot by default).

    ``everyone`` may pass the output of :func:`admissions` for the same arguments, to reuse it
    (its amendments replayed up to a day no later than the snapshot).
    """
    snap = params.snapshot if snapshot is None else snapshot
    if everyone is None:
        drawn = drawn_cases(params, seed=seed, size=size, until=snap, stock_only=True)
        everyone = admissions(params, seed=seed, size=size, until=snap, drawn=drawn)
    stock = everyone.take(in_custody(everyone, snap))
    meta = {
        "seed": int(seed),
        "size": float(size),
        "snapshot": iso(snap),
        "parameters": str(params.path) if params.path else None,
        "source": "synthetic",
    }
    return Population.from_arrays({**stock.arrays(), "id": np.arange(len(stock))}, meta)


def synthesize(
    spec: PopulationSpec | None = None, *, seed: int, size: float | None = None
) -> Population:
    """The synthetic stock a scenario's ``population`` section describes.

    Parameters
    ----------
    spec : PopulationSpec, optional
        Snapshot date, size and parameter file (defaults: the committed 2014 calibration).
    seed : int
        Seed of every random draw.
    size : float, optional
        Scale of the population (1 = the calibrated size); overrides ``spec.size``.

    Returns
    -------
    Population
    """
    params = load_parameters(spec.parameters_path() if spec and spec.parameters else None)
    scale = size if size is not None else (spec.size if spec else 1.0)
    snap = day(spec.snapshot) if spec and spec.snapshot else None
    return generate(params, seed=seed, size=scale, snapshot=snap)
