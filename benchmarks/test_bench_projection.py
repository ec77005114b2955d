"""Benchmarks of projections: ten years, month by month, of the default population.

Under plain ``pytest`` (``--benchmark-disable`` in pyproject's addopts) each benchmark body runs
once, as a smoke test. For numbers::

    uv run pytest benchmarks/test_bench_projection.py --benchmark-enable
"""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator as sim
from simulator.runs.projection import project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenarios():
    retro = sim.load_scenario(ROOT / "scenarios" / "2014_guidelines.yaml")
    return {
        "prospective": sim.load_scenario(ROOT / "scenarios" / "2014_guidelines_prospective.yaml"),
        "both": sim.with_overrides(retro, {"changes.0.applies": "both"}),
    }


@pytest.fixture(scope="module")
def population(scenarios):
    """The default population: the scenario's seed at the calibrated size."""
    s = scenarios["prospective"]
    return sim.synthesize(s.population, seed=s.seed, size=1.0)


def _people(benchmark, p) -> None:
    benchmark.extra_info["people_followed"] = len(p.people.new)
    benchmark.extra_info["new_cases"] = int(p.people.new.sum())


@pytest.mark.parametrize("name", ["prospective", "both"])
def test_project_ten_years(benchmark, scenarios, population, name):
    """Ten years, monthly, on a pre-built stock: future cohorts, both worlds, the counts."""
    s = scenarios[name]
    p = benchmark.pedantic(
        project,
        args=(s,),
        kwargs={"seed": s.seed, "size": 1.0, "years": 10, "population": population},
        rounds=3,
        iterations=1,
    )
    assert len(p.monthly) == 120
    _people(benchmark, p)


def test_project_ten_years_end_to_end(benchmark, scenarios):
    """The same with the stock synthesized too: what ``simulate project`` computes."""
    s = scenarios["both"]
    p = benchmark.pedantic(
        lambda: project(s, seed=s.seed, size=1.0, years=10).summary, rounds=3, iterations=1
    )
    assert p["years"] == 10
