"""Shared fixtures and hypothesis profiles.

Populations are expensive to build (about a second at ``size=0.05``), so every test that needs a
synthetic stock shares the session-scoped ones below.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import simulator as sim
from simulator.law import load_law

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_2014 = ROOT / "scenarios" / "2014_guidelines.yaml"

settings.register_profile("ci", deadline=None, max_examples=50, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=30)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def law():
    return load_law()


@pytest.fixture(scope="session")
def scenario_path() -> Path:
    return SCENARIO_2014


@pytest.fixture(scope="session")
def scenario_2014():
    return sim.load_scenario(SCENARIO_2014)


@pytest.fixture(scope="session")
def small_population(scenario_2014):
    return sim.synthesize(scenario_2014.population, seed=11, size=0.05)


@pytest.fixture(scope="session")
def small_outcome(small_population, scenario_2014):
    return sim.apply(small_population, scenario_2014)
