"""The kernel in blocks of people gives, bit for bit, what it gives on the whole population."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.model import blockwise
from simulator.model.blockwise import in_blocks, rows_of
from simulator.runs.chunked import whole_population_reason
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def people():
    return sim.synthesize(None, seed=11, size=0.03)


def arrays(value, name="reduction"):
    """Every array of a result, by its path (dataclasses and dicts walked through)."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from arrays(getattr(value, f.name), f"{name}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from arrays(v, f"{name}.{k}")
    elif isinstance(value, np.ndarray):
        yield name, value


def outcome(pop, scenario, rows):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blockwise, "BLOCK_ROWS", rows)
        return sim.apply(pop, scenario)


def assert_same(blocked, whole):
    got = dict(arrays(blocked.reduction))
    for key, value in arrays(whole.reduction):
        assert got[key].dtype == value.dtype, key
        np.testing.assert_array_equal(got[key], value, err_msg=key)
    assert got.keys() == dict(arrays(whole.reduction)).keys()
    assert blocked.summary == whole.summary


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_gives_the_same_arrays_and_summary_in_blocks(people, path):
    scenario = sim.load_scenario(path)
    whole = outcome(people, scenario, 10**9)
    assert_same(outcome(people, scenario, 257), whole)  # blocks, and a shorter last one


@settings(max_examples=10)
@given(rows=st.integers(40, 3_000))
def test_any_block_size_gives_the_same_arrays(people, rows):
    scenario = sim.load_scenario(ROOT / "scenarios" / "2014_guidelines.yaml")
    assert_same(outcome(people, scenario, rows), outcome(people, scenario, 10**9))


def test_queues_that_rank_everyone_are_never_cut(people, monkeypatch):
    """A court process's docket orders every motion: its scenario runs whole however small the
    blocks (its arrays equal those of a run with one block)."""
    courts = sim.load_scenario(ROOT / "scenarios" / "2014_guidelines_courts.yaml")
    assert whole_population_reason(courts) is not None
    calls = []
    original = blockwise.in_blocks

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr("simulator.model.reduction.in_blocks", spy)
    sim.apply(people, courts)
    assert not calls
    sim.apply(people, sim.load_scenario(ROOT / "scenarios" / "2014_guidelines.yaml"))
    assert calls


def test_a_block_whose_result_does_not_fit_the_first_ones_is_refused(people):
    def uneven(block):
        return block.term.astype(np.int32 if block.id[0] == 0 else np.int64)

    with pytest.raises(TypeError, match="does not fit"):
        in_blocks(uneven, people, (), rows=100)

    def sometimes(block):
        return {"a": block.term if block.id[0] == 0 else None}

    with pytest.raises(TypeError, match="does not fit"):
        in_blocks(sometimes, people, (), rows=100)


@given(st.integers(0, 500), st.integers(0, 500))
def test_rows_of_are_views_of_the_people(people, start, length):
    part = rows_of(people, start, start + length)
    assert len(part) == len(people.id[start : start + length])
    assert np.shares_memory(part.grams, people.grams) or len(part) == 0
    assert (part.id == people.id[start : start + length]).all()
