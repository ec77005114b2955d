"""Scenarios side by side, the first as the baseline, with common random numbers.

Every scenario runs with the same seed, and on the very same people when their ``population``
sections agree (snapshot, size, parameter file); a scenario whose population differs gets its
own, synthesized with the same seed, and a note says so.

Examples
--------
>>> from simulator.scenario import load_scenario
>>> a = load_scenario("scenarios/2014_guidelines.yaml")
>>> rows, notes = compare([a, a], seed=1, size=0.05)
>>> rows[1]["eligible"] == rows[0]["eligible"], notes
(True, [])
>>> list(frame(rows).columns[:4])
['scenario_file', 'scenario', 'population', 'population_vs_baseline']
"""

from __future__ import annotations

from typing import Any

from simulator import lazy
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.model.population import Population
from simulator.scenario import Scenario

pd = lazy.module("pandas")

#: Figures compared: summary key and label.
FIGURES: tuple[tuple[str, str], ...] = (
    ("population", "People in custody"),
    ("eligible", "Eligible"),
    ("granted", "Granted"),
    ("mean_reduction_months", "Mean reduction, months"),
    ("released_first_day", "Released on the first possible day"),
    ("released_first_year", "Released in the following 12 months"),
    ("bed_years_saved", "Bed-years saved"),
    ("cost_saved_usd", "Cost saved"),
)


def population_key(scenario: Scenario, size: float | None) -> tuple:
    """What decides a scenario's population: snapshot, size and generator parameters."""
    spec = scenario.population
    return (spec.snapshot, size if size is not None else spec.size, spec.parameters)


def compare(
    scenarios: list[Scenario], *, seed: int, size: float | None = None
) -> tuple[list[dict], list[str]]:
    """Run each scenario with one seed; reuse the population while the specs agree.

    Returns one summary per scenario (with ``scenario_file``) and notes about populations
    synthesized again.
    """
    populations: dict[tuple, Population] = {}
    rows, notes = [], []
    first_key = population_key(scenarios[0], size)
    for sc in scenarios:
        key = population_key(sc, size)
        if key not in populations:
            if populations:
                notes.append(
                    f"{sc.source_path}: its population differs from "
                    f"{scenarios[0].source_path}'s ({_diff(first_key, key)}); synthesized its "
                    f"own with the same seed {seed}"
                )
            populations[key] = synthesize(sc.population, seed=seed, size=size)
        summary = apply(populations[key], sc).summary
        rows.append({"scenario_file": sc.source_path, **summary})
    return rows, notes


def _diff(a: tuple, b: tuple) -> str:
    names = ("snapshot", "size", "parameters")
    parts = [f"{n} {y} vs {x}" for n, x, y in zip(names, a, b, strict=True) if x != y]
    return ", ".join(parts)


def frame(rows: list[dict]) -> pd.DataFrame:
    """One row per scenario: each figure and its difference from the first scenario."""
    base = rows[0]
    out = []
    for r in rows:
        rec: dict[str, Any] = {"scenario_file": r["scenario_file"], "scenario": r["scenario"]}
        for key, _ in FIGURES:
            rec[key] = r[key]
            rec[f"{key}_vs_baseline"] = round(r[key] - base[key], 2)
        rec.update(seed=r["seed"], scenario_sha256=r["scenario_sha256"], version=r["version"])
        out.append(rec)
    return pd.DataFrame(out)
