"""Retroactive federal drug-sentencing changes, simulated on a synthetic prison population.

>>> import simulator as sim
>>> scenario = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> population = sim.synthesize(scenario.population, seed=7, size=0.05)
>>> outcome = sim.apply(population, scenario)
>>> outcome.summary["eligible"] <= outcome.summary["population"]
True
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("simulator")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

_EXPORTS = {
    "load_scenario": "simulator.scenario",
    "with_overrides": "simulator.scenario",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "synthesize": "simulator.synthesis",
    "apply": "simulator.engine",
    "Outcome": "simulator.outcomes",
    "Population": "simulator.population",
    "load_law": "simulator.law",
    "read_population": "simulator.population_io",
    "write_population": "simulator.population_io",
    "PopulationError": "simulator.population_io",
    "apply_chunked": "simulator.chunked",
    "run_replicates": "simulator.replicates",
    "Replicates": "simulator.replicates",
    "project": "simulator.projection",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    # Imports are lazy so that `simulate --help` does not pay for numpy, scipy and pandas.
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
