"""Synthetic populations above one block: drawn, applied and added up block by block."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import simulator as sim
from simulator.cli import main
from simulator.files import to_json
from simulator.runs.blocks import block_seed, block_sizes, run_blocks, runs_in_blocks
from tests.conftest import SCENARIO_2014


@given(st.floats(0.001, 500.0), st.floats(0.05, 5.0))
def test_blocks_add_up_to_the_size_and_none_is_larger_than_a_block(size, block):
    sizes = block_sizes(size, block)
    assert sum(sizes) == pytest.approx(size)
    assert all(s <= block * (1 + 1e-9) for s in sizes)
    assert len(sizes) == 1 or size > block


def test_the_figures_are_the_sum_of_the_blocks_drawn_with_their_own_seeds():
    s = sim.load_scenario(SCENARIO_2014)
    out = run_blocks(s, seed=5, size=0.06, block=0.02)
    blocks = [
        sim.apply(sim.synthesize(s.population, seed=block_seed(5, i), size=0.02), s).summary
        for i in range(3)
    ]
    for key in ("population", "eligible", "granted", "released_first_day"):
        assert out.summary[key] == sum(b[key] for b in blocks), key
    assert out.summary["size"] == 0.06 and out.summary["seed"] == 5


def test_the_number_of_workers_does_not_change_the_figures():
    s = sim.load_scenario(SCENARIO_2014)
    serial = run_blocks(s, seed=2, size=0.04, block=0.02, workers=1).summary
    pooled = run_blocks(s, seed=2, size=0.04, block=0.02, workers=2).summary
    assert serial == pooled


def test_queues_that_rank_everyone_are_drawn_whole():
    clemency = sim.load_scenario("scenarios/2014_clemency_initiative.yaml")
    courts = sim.load_scenario("scenarios/2014_guidelines_courts.yaml")
    assert not runs_in_blocks(clemency, 5.0) and not runs_in_blocks(courts, 5.0)
    assert runs_in_blocks(sim.load_scenario(SCENARIO_2014), 5.0)


def test_simulate_run_above_one_block_reports_the_whole_size_and_refuses_plots(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(SCENARIO_2014), "--size", "1.2", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["size"] == 1.2 and summary["population"] > 110_000
    args = ["run", str(SCENARIO_2014), "--size", "1.2", "--plots", str(tmp_path / "p")]
    plots = runner.invoke(main, [*args, "--quiet"])
    assert plots.exit_code == 2 and "larger ones run in blocks" in plots.output


def test_the_api_above_one_block_gives_the_command_lines_summary_with_the_people():
    result = sim.run(SCENARIO_2014, seed=3, size=1.2)
    args = ["run", str(SCENARIO_2014), "--seed", "3", "--size", "1.2", "--json", "--quiet"]
    cli = CliRunner().invoke(main, args)
    assert cli.exit_code == 0, cli.output
    assert json.loads(to_json(result.summary)) == json.loads(cli.output)
    assert len(result.people) == result.summary["population"] > 110_000
    assert result.people["id"].is_unique and result.population.meta["blocks"] == 2
