"""Chunked runs: the same summary, waves and breakdowns as a run on the whole population."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT

import simulator as sim
from simulator.errors import ChunkingError
from simulator.inputs.population_files import read_population, write_population
from simulator.runs.chunked import apply_chunked, apply_file, split
from simulator.scenario import with_overrides

MULTI = ROOT / "scenarios" / "2023_amendment_821.yaml"


@pytest.fixture(scope="module")
def scenario_821():
    return sim.load_scenario(MULTI)


@pytest.mark.parametrize("rows", [1, 997, 2500, 10**9])
def test_chunked_summary_equals_the_whole_run(small_population, scenario_2014, rows):
    pop = small_population if rows > 1 else small_population.take(np.arange(300))
    whole = sim.apply(pop, scenario_2014)
    chunked = apply_chunked(split(pop, rows), scenario_2014)
    assert chunked.summary == whole.summary
    for key in ("releases", "baseline", "scenario"):
        assert np.array_equal(chunked.wave_counts[key], whole.wave_counts[key])
    assert chunked.waves.equals(whole.waves)
    assert chunked.breakdown("race").equals(whole.breakdown("race"))


@pytest.mark.parametrize("rows", [640, 3001])
def test_chunked_summary_with_several_changes_and_other_grant_rates(
    small_population, scenario_821, rows
):
    for sc in (scenario_821, with_overrides(scenario_821, {"grant.rate": "1"})):
        whole = sim.apply(small_population, sc).summary
        assert "by_change" in whole
        assert apply_chunked(split(small_population, rows), sc).summary == whole


def test_clemency_cannot_be_chunked(small_population):
    sc = sim.load_scenario(ROOT / "scenarios" / "2014_clemency_initiative.yaml")
    with pytest.raises(ChunkingError, match="clemency scenario cannot be run in chunks"):
        apply_chunked(split(small_population, 1000), sc)


def test_file_in_chunks_equals_file_read_whole(small_population, scenario_2014, tmp_path):
    path = write_population(small_population, tmp_path / "people.parquet")
    whole = sim.apply(read_population(path), scenario_2014).summary
    out, rejected, read = apply_file(path, scenario_2014, chunk_rows=1234)
    assert out.chunks == -(-len(small_population) // 1234)
    assert out.summary == whole
    assert read == len(small_population) and len(rejected) == 0


def test_no_rows(scenario_2014):
    with pytest.raises(ChunkingError, match="no people"):
        _ = apply_chunked([], scenario_2014).summary
