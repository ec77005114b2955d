"""Replicates per second at the default population (size 1): serial against two processes.

Each round runs :data:`N` replicates of the 2014 scenario (each synthesizes its own ~100,000
people and applies the scenario); the process-pool time includes starting the two workers.
Under plain ``pytest`` each body runs once with two replicates, as a smoke test. For numbers::

    uv run pytest benchmarks/test_bench_replicates.py --benchmark-enable
"""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator as sim
from simulator.runs.replicates import run_replicates

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "2014_guidelines.yaml"
#: Replicates per round when benchmarking (two when benchmarks are disabled).
N = 20


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(SCENARIO)


@pytest.mark.parametrize(("executor", "workers"), [("serial", 1), ("process", 2)])
def test_replicates_per_second(benchmark, scenario, executor, workers):
    n = 2 if benchmark.disabled else N
    reps = benchmark.pedantic(
        run_replicates,
        args=(scenario, n),
        kwargs={"size": 1.0, "executor": executor, "workers": workers},
        rounds=2,
        iterations=1,
    )
    assert reps.meta["n"] == n and reps.draws.replicate.nunique() == n
    benchmark.extra_info["replicates"] = n
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["replicates_per_second_best"] = round(n / stats.stats.min, 2)
