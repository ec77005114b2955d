"""Benchmarks of the core pipeline: synthesize, apply, summarize, and apply at ~1 million people.

Under plain ``pytest`` (``--benchmark-disable`` in pyproject's addopts) each benchmark body runs
once, as a smoke test. For numbers::

    uv run pytest benchmarks --benchmark-enable
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import simulator as sim
from simulator.model.outcomes import Outcome

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "2014_guidelines.yaml"
#: Rows of the tiled population of the large benchmark (rounded up to whole copies).
LARGE_ROWS = 1_000_000


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def population(scenario):
    """The default population: the scenario's seed at the calibrated size."""
    return sim.synthesize(scenario.population, seed=scenario.seed, size=1.0)


@pytest.fixture(scope="module")
def large_population(population):
    """The default population tiled to about a million rows, ids re-numbered."""
    copies = math.ceil(LARGE_ROWS / len(population))
    arrays = {name: np.tile(values, copies) for name, values in population.arrays().items()}
    arrays["id"] = np.arange(len(arrays["id"]), dtype=np.int32)
    return sim.Population.from_arrays(arrays, {**population.meta, "tiled": copies})


def _rate(benchmark, people: int) -> None:
    """Record people and people per second (from the min and mean round) in extra_info."""
    benchmark.extra_info["people"] = people
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # None when benchmarks are disabled
        s = stats.stats
        benchmark.extra_info["people_per_second_best"] = round(people / s.min)
        benchmark.extra_info["people_per_second_mean"] = round(people / s.mean)


def test_synthesize_default(benchmark, scenario):
    pop = benchmark.pedantic(
        sim.synthesize,
        args=(scenario.population,),
        kwargs={"seed": scenario.seed, "size": 1.0},
        rounds=3,
        iterations=1,
    )
    assert len(pop) > 10_000
    _rate(benchmark, len(pop))


def test_apply_default(benchmark, scenario, population):
    outcome = benchmark(sim.apply, population, scenario)
    assert 0 < outcome.reduction.eligible.sum() < len(population)
    _rate(benchmark, len(population))


def test_summary_default(benchmark, scenario, population):
    # summary is a cached_property: every round gets a fresh Outcome built from the same reduction
    done = sim.apply(population, scenario)

    def fresh():
        return (Outcome(population, scenario, done.reduction, done.law),), {}

    summary = benchmark.pedantic(lambda o: o.summary, setup=fresh, rounds=5, iterations=1)
    assert summary["population"] == len(population)
    _rate(benchmark, len(population))


def test_end_to_end_default(benchmark, scenario):
    """The figure the lead reports: synthesize + apply + summary at the default size."""

    def run() -> dict:
        pop = sim.synthesize(scenario.population, seed=scenario.seed, size=1.0)
        return sim.apply(pop, scenario).summary

    summary = benchmark.pedantic(run, rounds=3, iterations=1)
    assert summary["eligible"] > 0
    _rate(benchmark, summary["population"])


def test_apply_large(benchmark, scenario, large_population):
    outcome = benchmark.pedantic(
        sim.apply, args=(large_population, scenario), rounds=3, iterations=1
    )
    assert len(outcome.reduction.term) == len(large_population) >= LARGE_ROWS
    _rate(benchmark, len(large_population))
