"""Retroactive federal drug-sentencing changes, simulated on a synthetic prison population.

The package is layered; each layer imports only the ones before it (``docs/architecture.md``):
``law`` → ``scenario`` → ``model`` → ``inputs`` → ``runs`` → ``report`` → ``cli``, with the
leaves ``calendar``, ``numeric``, ``errors``, ``files``, ``outputs_folder``, ``resources``,
``lazy`` and ``version`` under all of them. The names below are the public API, loaded on first
use so that ``simulate --help`` does not pay for numpy, scipy and pandas.

>>> import simulator as sim
>>> scenario = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> population = sim.synthesize(scenario.population, seed=7, size=0.05)
>>> outcome = sim.apply(population, scenario)
>>> outcome.summary["eligible"] <= outcome.summary["population"]
True
>>> result = sim.run(scenario, population)  # the same, in pandas' shapes (simulator.runs.result)
>>> result.summary == outcome.summary, result.waves.index.freqstr
(True, 'M')
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from simulator.version import __version__

_EXPORTS = {
    "load_scenario": "simulator.scenario",
    "validate_scenario": "simulator.scenario",
    "with_overrides": "simulator.scenario",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.errors",
    "synthesize": "simulator.inputs.synthesis",
    "apply": "simulator.model.apply",
    "Outcome": "simulator.model.outcomes",
    "Population": "simulator.model.population",
    "load_law": "simulator.law",
    "read_population": "simulator.inputs.population_files",
    "write_population": "simulator.inputs.population_files",
    "read_ussc": "simulator.inputs.ussc",
    "PopulationError": "simulator.errors",
    "apply_chunked": "simulator.runs.chunked",
    "run_replicates": "simulator.runs.replicates",
    "Replicates": "simulator.runs.replicates",
    "project": "simulator.runs.projection",
    "run": "simulator.runs.result",
    "Result": "simulator.runs.result",
    "compare": "simulator.runs.result",
    "verify_manifest": "simulator.outputs_folder",
    "ManifestError": "simulator.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    # the public names load on first use, so that `simulate --help` does not import numpy
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
