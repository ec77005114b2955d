"""Replicates: the scenario run many times, each on its own population and its own assumptions.

Replicate *i* draws everything from ``SeedSequence(seed, spawn_key=(i,))`` and nothing else: the
population's seed (an integer drawn from it), hence every stochastic decision of the engine
(grants, petitions, review order, all keyed by that seed), and one uniform per uncertain
assumption (:mod:`simulator.scenario.uncertain`), turned into a value by the assumption's
inverse CDF. So replicate *i* gives the same numbers whatever the number of replicates, the
executor, the number of workers or the order in which they finish. A replicate returns its
headline figures and its monthly releases (kilobytes), never per-person arrays.

Executors: ``serial`` (in this process), ``process`` (a local pool of ``workers`` processes)
and ``dask`` (a Dask cluster: ``scheduler`` is an address such as ``tcp://host:8786``, a
``distributed.Client``, or ``None`` for a local cluster of ``workers`` processes; needs the
``dask`` extra).

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> r = run_replicates(s, 3, size=0.05)
>>> list(r.intervals.columns), r.meta["n"]
(['figure', 'median', 'lo', 'hi'], 3)
>>> row = r.intervals.set_index("figure").loc["eligible"]
>>> bool(row.lo <= row["median"] <= row.hi)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import lazy
from simulator.errors import InputError
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.runs.executors import RUNNERS, Progress, reported
from simulator.scenario import Scenario, uncertain_fields, with_values
from simulator.version import __version__

pd = lazy.module("pandas")

EXECUTORS = ("serial", "process", "dask")
#: Summary entries that are not figures of the outcome.
NOT_FIGURES = ("seed", "size")
#: Spawn-key slots under replicate i: the population's seed and the assumptions' uniforms.
_POPULATION, _ASSUMPTIONS = 0, 1


@dataclass
class Replicates:
    """Results of :func:`run_replicates`, as tidy DataFrames.

    Attributes
    ----------
    draws : DataFrame
        ``replicate, figure, value``: every headline figure of every replicate.
    intervals : DataFrame
        ``figure, median, lo, hi``: median and central interval of each figure.
    waves : DataFrame
        ``replicate, month ('YYYY-MM'), released``: people released earlier than before, by
        month.
    wave_intervals : DataFrame
        ``month, median, lo, hi`` of the monthly releases.
    assumptions : DataFrame
        ``replicate, name, value``: the value each uncertain assumption took.
    meta : dict
        ``seed, scenario_sha256, version, n, interval, size, executor`` (provenance).
    """

    draws: pd.DataFrame
    intervals: pd.DataFrame
    waves: pd.DataFrame
    wave_intervals: pd.DataFrame
    assumptions: pd.DataFrame
    meta: dict = field(default_factory=dict)


def replicate_seeds(seed: int, i: int) -> tuple[int, np.random.Generator]:
    """Population seed and assumption generator of replicate ``i`` (from ``seed`` and ``i``).

    Examples
    --------
    >>> a, _ = replicate_seeds(7, 3)
    >>> b, _ = replicate_seeds(7, 3)
    >>> a == b, a == replicate_seeds(7, 4)[0]
    (True, False)
    """
    pop_ss = np.random.SeedSequence(seed, spawn_key=(i, _POPULATION))
    pop_seed = int(pop_ss.generate_state(1)[0])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i, _ASSUMPTIONS)))
    return pop_seed, rng


def sample_assumptions(scenario: Scenario, rng: np.random.Generator) -> dict[str, float]:
    """One value per uncertain assumption (sorted by name), one uniform draw each."""
    fields = uncertain_fields(scenario)
    u = rng.random(len(fields))
    return {name: dist.sample(q).item() for (name, dist), q in zip(fields.items(), u, strict=True)}


def headline(summary: dict) -> dict[str, float]:
    """The numeric figures of a summary, nested ones by dotted name (per-year tallies apart).

    Examples
    --------
    >>> headline({"eligible": 3, "seed": 1, "title": "x", "clemency": {"granted": 2}})
    {'eligible': 3.0, 'clemency.granted': 2.0}
    """
    out: dict[str, float] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and not key.endswith("_by_year"):
                walk(value, f"{name}.")
            elif (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and name not in NOT_FIGURES
            ):
                out[name] = float(value)

    walk({k: v for k, v in summary.items() if k not in ("waves", "breakdowns")}, "")
    return out


def one_replicate(scenario: Scenario, seed: int, i: int, size: float | None) -> dict:
    """Run replicate ``i``: its own population and assumptions; a small summary back."""
    pop_seed, rng = replicate_seeds(seed, i)
    values = sample_assumptions(scenario, rng)
    sc = with_values(scenario, values) if values else scenario
    outcome = apply(synthesize(sc.population, seed=pop_seed, size=size), sc)
    waves = outcome.wave_counts
    return {
        "replicate": i,
        "population_seed": pop_seed,
        "figures": headline(outcome.summary),
        "months": [str(m) for m in waves["month"]],
        "released": waves["releases"].astype(np.int64).tolist(),
        "assumptions": values,
    }


# ---------------------------------------------------------------------------------- summaries
def quantiles(frame: pd.DataFrame, by: str, value: str, interval: float) -> pd.DataFrame:
    """Median and central ``interval`` of ``value`` within each ``by`` group (order kept).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"g": ["a"] * 5, "v": [1.0, 2, 3, 4, 5]})
    >>> quantiles(f, "g", "v", 0.5).to_dict("records")
    [{'g': 'a', 'median': 3.0, 'lo': 2.0, 'hi': 4.0}]
    """
    tail = (1.0 - interval) / 2.0
    g = frame.groupby(by, sort=False)[value]
    out = g.quantile(0.5).rename("median").to_frame()
    out["lo"] = g.quantile(tail)
    out["hi"] = g.quantile(1.0 - tail)
    return out.reset_index()


def _collect(results: list[dict], interval: float) -> dict[str, pd.DataFrame]:
    results = sorted(results, key=lambda r: r["replicate"])
    draws = pd.DataFrame(
        [(r["replicate"], k, v) for r in results for k, v in r["figures"].items()],
        columns=["replicate", "figure", "value"],
    )
    waves = pd.DataFrame(
        {
            "replicate": np.repeat([r["replicate"] for r in results], len(results[0]["months"])),
            "month": [m for r in results for m in r["months"]],
            "released": np.concatenate([r["released"] for r in results]).astype(np.int64),
        }
    )
    assumptions = pd.DataFrame(
        [(r["replicate"], k, v) for r in results for k, v in r["assumptions"].items()],
        columns=["replicate", "name", "value"],
    )
    return {
        "draws": draws,
        "intervals": quantiles(draws, "figure", "value", interval),
        "waves": waves,
        "wave_intervals": quantiles(waves, "month", "released", interval),
        "assumptions": assumptions,
    }


def run_replicates(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None = None,
    size: float | None = None,
    workers: int = 1,
    executor: str = "serial",
    scheduler: Any = None,
    interval: float = 0.9,
    progress: Progress | None = None,
) -> Replicates:
    """Run ``n`` replicates of a scenario and summarize them with medians and intervals.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its uncertain assumptions are sampled once per replicate.
    n : int
        Number of replicates (replicate ``i`` is the same whatever ``n``).
    seed : int, optional
        Root seed (default: the scenario's).
    size : float, optional
        Population scale (default: the scenario's).
    workers : int
        Processes for the ``process`` executor, or for a local Dask cluster.
    executor : {'serial', 'process', 'dask'}
        Where replicates run (``serial`` ignores ``workers``).
    scheduler : str or distributed.Client, optional
        Dask scheduler address or client (``dask`` only).
    interval : float
        Central probability of the intervals (0.9: the 5th to the 95th percentile).
    progress : callable, optional
        Called after each replicate with the number done and ``n``.

    Returns
    -------
    Replicates

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> r = run_replicates(s, 2, size=0.05)
    >>> r.waves.columns.tolist(), r.meta["seed"] == s.seed
    (['replicate', 'month', 'released'], True)
    """
    if n < 1:
        raise InputError(f"replicates must be at least 1, got {n}")
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r}; choose from {', '.join(EXECUTORS)}")
    if not 0 < interval < 1:
        raise InputError(f"interval must be between 0 and 1, got {interval}")
    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    root = scenario.seed if seed is None else int(seed)
    args = [(scenario, root, i, size) for i in range(n)]
    runner = RUNNERS[executor]
    results = list(reported(runner(one_replicate, args, workers, scheduler), n, progress))
    frames = _collect(results, interval)
    meta = {
        "seed": root,
        "scenario_sha256": scenario.sha256(),
        "version": __version__,
        "n": n,
        "interval": interval,
        "size": scenario.population.size if size is None else size,
        "executor": executor,
    }
    return Replicates(**frames, meta=meta)
