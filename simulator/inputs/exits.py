"""Ways out of custody besides serving the term: RDAP, time credits, death, compassion.

All are drawn for synthetic cases only; a population file brings its own release days (and its
own ``rdap`` and ``ftc`` flags, narrowed by the same exclusions).

- **RDAP** (18 U.S.C. §3621(e)(2)(B)): who qualifies is the law's (``data/law/early_release.yaml``,
  28 C.F.R. §550.55(b)); who of them completes the program, and the shortest term that leaves
  time to do so, are assumptions (``assumed.rdap``). The months off follow the term and the rule
  in force (:meth:`simulator.law.Law.release_day`); a term later reduced keeps the flag and the
  months of the term the Bureau decided on
  (:meth:`simulator.model.population.Population.release_for`).
- **First Step Act time credits** (18 U.S.C. §3632(d)(4)): who may not earn or apply them is
  the law's (``time_credits`` in the same file); being at minimum or low risk and taking part
  in programming is an assumption (``assumed.time_credits``).
- **Deaths in custody**: a Gompertz hazard by age (``assumed.deaths``), so that mortality
  doubles every ``doubling_years``; a death ends custody like a release.
- **Compassionate release** (18 U.S.C. §3582(c)(1)(A)): on a defendant's motion from the First
  Step Act (2018-12-21), at yearly rates by fiscal year (``assumed.compassionate_release``).

Examples
--------
>>> import numpy as np
>>> from simulator.calendar import day, iso
>>> d = death_days(np.array([day("2000-01-01")] * 3), np.array([40.0, 40.0, 70.0]),
...                np.array([0.01, 0.5, 0.5]), rate_at_40=0.002, doubling_years=8.0)
>>> [iso(x) for x in d]
['2004-03-03', '2039-08-23', '2013-07-15']
"""

from __future__ import annotations

import numpy as np

from simulator.calendar import NEVER
from simulator.law import DRUGS, Law, conventions


def qualifies(
    law: Law, excluded: tuple[str, ...], cases: dict[str, np.ndarray], term: np.ndarray
) -> np.ndarray:
    """Who none of the law's ``excluded`` names excludes.

    A name is a population column (``noncitizen``, ``violent``, ``weapon``: excluded when
    true), ``life`` (a life term), or ``fentanyl_leader`` (a fentanyl case with an aggravating
    role, 18 U.S.C. §3632(d)(4)(D)(lxvi)).

    Examples
    --------
    >>> from simulator.law import DRUGS, load_law
    >>> cases = {"noncitizen": np.array([False, True, False]),
    ...          "drug": np.full(3, DRUGS.index("fentanyl")), "role": np.array([0, 0, 2])}
    >>> qualifies(load_law(), ("noncitizen", "fentanyl_leader"), cases, np.full(3, 60)).tolist()
    [True, False, False]
    """
    term = np.asarray(term)
    out = np.ones(term.shape, dtype=bool)
    for name in excluded:
        if name == "life":
            out &= term < law.life_months
        elif name == "fentanyl_leader":
            out &= ~((np.asarray(cases["drug"]) == DRUGS.index("fentanyl")) & (cases["role"] > 0))
        else:
            out &= ~np.asarray(cases[name], dtype=bool)
    return out


def completes_rdap(
    law: Law, cases: dict[str, np.ndarray], term: np.ndarray, chosen: np.ndarray, min_term: int
) -> np.ndarray:
    """Who completes RDAP and qualifies for early release.

    Parameters
    ----------
    law : Law
        Reads the exclusions (``rdap_excluded``, 28 C.F.R. §550.55(b)).
    cases : dict of numpy.ndarray
        The cases' columns (``noncitizen``, ``violent``, ``weapon``, ...).
    term : numpy.ndarray
        Months imposed.
    chosen : numpy.ndarray of bool
        The cases' own draw of completing the program if they qualify.
    min_term : int
        Shorter terms leave too little time to complete the program (assumption).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> from simulator.law import load_law
    >>> cases = {"noncitizen": np.array([False, True, False]),
    ...          "violent": np.zeros(3, bool), "weapon": np.zeros(3, bool)}
    >>> completes_rdap(load_law(), cases, np.array([60, 60, 470]), np.ones(3, bool), 24).tolist()
    [True, False, False]
    """
    chosen = np.asarray(chosen, dtype=bool) & (np.asarray(term) >= min_term)
    return chosen & qualifies(law, law.rdap_excluded, cases, term)


def earns_time_credits(
    law: Law, cases: dict[str, np.ndarray], term: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Who earns First Step Act time credits and may apply them (18 U.S.C. §3632(d)(4)).

    ``chosen`` is the cases' own draw of being at minimum or low risk and taking part in
    programming; the law's exclusions (``ftc["excluded"]``) narrow it.
    """
    return np.asarray(chosen, dtype=bool) & qualifies(law, law.ftc["excluded"], cases, term)


def custody_ends(
    law: Law, cases: dict[str, np.ndarray], term: np.ndarray, rdap_min_term: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Who leaves early (RDAP, time credits), and the day custody ends, for ``term``.

    Cases drawn by :func:`simulator.inputs.cohorts.draw_cases` carry ``rdap`` and ``ftc``
    (their draws, narrowed here by :func:`completes_rdap` and :func:`earns_time_credits`),
    ``death_date`` and ``compassionate_date``; custody ends at the earliest of the release
    (:meth:`simulator.law.Law.release_day`), death and a compassionate release. Returns the
    narrowed flags the cases had (none for a population file's cases without them) and the day.
    """
    rdap = ftc = None
    if "rdap" in cases:
        rdap = completes_rdap(law, cases, term, cases["rdap"], rdap_min_term)
    if "ftc" in cases:
        ftc = earns_time_credits(law, cases, term, cases["ftc"])
    release = law.release_day(cases["custody_start"], term, cases["infractions"], rdap, ftc)
    for exit_day in ("death_date", "compassionate_date"):
        if exit_day in cases:
            release = np.minimum(release, cases[exit_day])
    flags = {k: v for k, v in (("rdap", rdap), ("ftc", ftc)) if v is not None}
    return flags, release


def compassionate_days(
    start: np.ndarray, u: np.ndarray, rates: dict[int, float], *, since: int
) -> np.ndarray:
    """Day of a compassionate release, from each case's draw and yearly rates by fiscal year.

    The hazard is ``rates[y]`` a year through fiscal year *y* (the last rate holds after the
    last year, 0 before ``since`` and in unlisted earlier years); a case in custody from
    ``start`` is released on the day its cumulative hazard reaches ``-log(1 - u)``, or never.

    Examples
    --------
    >>> from simulator.calendar import day, iso
    >>> d = compassionate_days(np.array([day("2010-01-01")] * 2), np.array([0.01, 0.5]),
    ...                        {2020: 0.02, 2021: 0.0}, since=day("2018-12-21"))
    >>> iso(d[0]), bool(d[1] == NEVER)
    ('2020-04-02', True)
    """
    fy = conventions()
    years = sorted(rates)
    edges = [since, *(max(fy.fiscal_year_start(y), since) for y in years[1:])]
    first = max(fy.fiscal_year_start(years[0]), since)
    points = np.array([since, first, *edges[1:], NEVER], dtype=np.float64)
    per_day = np.array([0.0, *(rates[y] for y in years)]) / fy.days_per_year
    cumulative = np.concatenate([[0.0], np.cumsum(per_day * np.diff(points))])
    s0 = np.maximum(np.asarray(start, dtype=np.float64), since)
    target = np.interp(s0, points, cumulative) - np.log1p(-np.asarray(u, dtype=np.float64))
    reached = target < cumulative[-1]
    # the segment where the cumulative hazard reaches the target, then linear within it
    k = np.clip(np.searchsorted(cumulative, target, side="right"), 1, len(per_day))
    rate = np.where(reached, per_day[k - 1], 1.0)
    when = points[k - 1] + (target - cumulative[k - 1]) / rate
    return np.where(reached, np.ceil(when), NEVER).clip(max=NEVER).astype(np.int32)


def death_days(
    start: np.ndarray,
    age: np.ndarray,
    u: np.ndarray,
    *,
    rate_at_40: float,
    doubling_years: float,
) -> np.ndarray:
    """Day of death in custody under a Gompertz hazard, from each case's uniform draw.

    The yearly hazard at age *a* is ``rate_at_40 * 2 ** ((a - 40) / doubling_years)``; with
    ``b = ln 2 / doubling_years``, the cumulative hazard after *t* years from age *a0* is
    ``h(a0) / b * (exp(b t) - 1)``, so the death that ``-log(1 - u)`` of hazard reaches is at
    ``t = log(1 + b E / h(a0)) / b``. Deaths past the calendar's end are :data:`NEVER`.

    Parameters
    ----------
    start : numpy.ndarray
        Day custody began.
    age : numpy.ndarray
        Age, years, on ``start``.
    u : numpy.ndarray
        The cases' uniform draws in [0, 1).
    rate_at_40, doubling_years : float
        The hazard (assumptions, ``assumed.deaths``).
    """
    b = np.log(2.0) / doubling_years
    h0 = rate_at_40 * np.exp(b * (np.asarray(age, dtype=np.float64) - 40.0))
    hazard = -np.log1p(-np.asarray(u, dtype=np.float64))
    years = np.log1p(b * hazard / h0) / b
    days = np.minimum(years * conventions().days_per_year, float(NEVER))
    return np.minimum(np.asarray(start, dtype=np.int64) + days.astype(np.int64), NEVER).astype(
        np.int32
    )
