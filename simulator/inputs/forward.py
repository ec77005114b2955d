"""New cases after the snapshot: the admission cohorts of the fiscal years a projection covers.

Their number follows the parameter file's admissions series (which runs to FY2025), then the
recent trend, capped (see :class:`simulator.scenario.document.Projection`); each year's cohort
is drawn with a seed derived from the scenario's, so the stock is exactly what
:func:`simulator.inputs.synthesis.synthesize` builds and a longer horizon only adds cohorts.

Examples
--------
>>> from simulator.inputs.parameters import load_parameters
>>> cases = new_cases(load_parameters(), None, seed=1, size=0.01, first_fy=2016, last_fy=2017)
>>> len(cases["drug"]) > 0
True
"""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np

from simulator.errors import ScenarioError
from simulator.inputs.cohorts import GROUPS, draw_cases
from simulator.inputs.parameters import Parameters
from simulator.scenario import Projection as ProjectionSettings
from simulator.scenario.document import MAX_ADMISSIONS


def forward_seed(seed: int, year: int) -> int:
    """Seed of the future cohort of a fiscal year, derived from the scenario's seed.

    The stock's draws are untouched, and each year's cohort has its own stream.

    Examples
    --------
    >>> forward_seed(1, 2016) == forward_seed(1, 2016) != forward_seed(1, 2017)
    True
    """
    key = (zlib.crc32(b"projection.admissions"), int(year))
    ss = np.random.SeedSequence(int(seed), spawn_key=key)
    return int(ss.generate_state(1, np.uint64)[0])


def admissions_series(
    params: Parameters, settings: ProjectionSettings | None, first_fy: int, last_fy: int
) -> dict:
    """Drug-trafficking cases sentenced to prison in each fiscal year ``first_fy..last_fy``.

    In the units of the parameter file's ``assumed.admissions`` (before the fitted scale).
    The scenario's ``projection.admissions`` replace or extend that series; after its last year
    the count changes by ``projection.trend`` a year, or by default by the log-linear trend of
    the last ``trend_years`` years of the series, held within ``±trend_cap``.

    Examples
    --------
    >>> from simulator.inputs.parameters import load_parameters
    >>> from simulator.scenario import Projection
    >>> s = admissions_series(load_parameters(), Projection(trend=-0.1), 2025, 2027)
    >>> [round(v) for v in s.values()]
    [16226, 14603, 13143]
    """
    known = {int(k): float(v) for k, v in params.assumed["admissions"].items()}
    if settings is not None and settings.admissions:
        known.update({int(k): float(v) for k, v in settings.admissions.items()})
    years = sorted(known)
    last = years[-1]
    rate = trend(params, settings)
    out = {}
    for y in range(first_fy, last_fy + 1):
        if y <= last:
            out[y] = float(np.interp(y, years, [known[k] for k in years]))
        else:
            out[y] = known[last] * (1.0 + rate) ** (y - last)
        if out[y] > MAX_ADMISSIONS:
            raise ScenarioError(
                f"projection: admissions reach {out[y]:,.0f} cases in fiscal year {y} (the "
                f"series grows by {rate:+.1%} a year after {last}); at most {MAX_ADMISSIONS:,} "
                "a year: lower projection.trend or projection.years"
            )
    return out


def trend(params: Parameters, settings: ProjectionSettings | None) -> float:
    """Yearly rate of change of admissions after the series ends (see :func:`admissions_series`).

    Examples
    --------
    >>> from simulator.inputs.parameters import load_parameters
    >>> -0.02 <= trend(load_parameters(), None) <= 0.02
    True
    """
    if settings is not None and settings.trend is not None:
        return float(settings.trend)
    n = settings.trend_years if settings is not None else 10
    cap = settings.trend_cap if settings is not None else 0.02
    known = {int(k): float(v) for k, v in params.assumed["admissions"].items()}
    if settings is not None and settings.admissions:
        known.update({int(k): float(v) for k, v in settings.admissions.items()})
    years = sorted(known)
    span = np.arange(years[-1] - n + 1, years[-1] + 1)
    counts = np.interp(span, years, [known[k] for k in years])
    positive = counts > 0
    if positive.sum() < 2:  # a series that has (all but) stopped has no trend to follow
        return 0.0
    slope = np.polyfit(span[positive], np.log(counts[positive]), 1)[0]
    return float(np.clip(np.expm1(slope), -cap, cap))


def forward_parameters(
    params: Parameters, settings: ProjectionSettings | None, first_fy: int, last_fy: int
) -> Parameters:
    """A copy of the generator parameters whose cohorts are the fiscal years ahead only."""
    assumed = dict(params.assumed)
    assumed["first_cohort"] = first_fy
    assumed["admissions"] = admissions_series(params, settings, first_fy, last_fy)
    if settings is not None and settings.mix is not None:
        mix = {g: float(settings.mix.get(g, 0.0)) for g in GROUPS}
        earlier = {y: m for y, m in assumed["mix_by_year"].items() if int(y) < first_fy}
        assumed["mix_by_year"] = {**earlier, first_fy: mix}
        assumed["early_mix_year"] = min(int(assumed["early_mix_year"]), first_fy - 1)
    return Parameters(params.snapshot, params.fitted, assumed, params.path, params.calibration_seed)


def new_cases(
    params: Parameters,
    settings: ProjectionSettings | None,
    seed: int,
    size: float,
    first_fy: int,
    last_fy: int,
) -> dict[str, np.ndarray]:
    """The cases of the fiscal years ``first_fy..last_fy``, each year drawn on its own.

    Each cohort is drawn by :func:`simulator.inputs.cohorts.draw_cases` with a seed derived from
    ``seed`` and its year, so a cohort's people depend only on the seed, the year and its size:
    a longer horizon adds cohorts and leaves the earlier ones as they were.
    """
    fwd = forward_parameters(params, settings, first_fy, last_fy)
    parts = []
    for year in range(first_fy, last_fy + 1):
        one = dict(
            fwd.assumed, first_cohort=year, admissions={year: fwd.assumed["admissions"][year]}
        )
        cohort = dataclasses.replace(fwd, assumed=one)
        parts.append(draw_cases(cohort, forward_seed(seed, year), size, year))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
