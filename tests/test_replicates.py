"""Replicates: identical whatever the executor, prefix-stable, summarized with intervals."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import simulator as sim
from simulator.cli import main
from simulator.runs.replicates import quantiles, replicate_seeds, run_replicates
from tests.conftest import SCENARIO_2014

SIZE = 0.05
N = 4


@pytest.fixture(scope="module")
def uncertain_2014():
    base = sim.load_scenario(SCENARIO_2014)
    return sim.with_overrides(
        base, {"grant.rate": "{beta: [68, 32]}", "costs.per_bed_year": "{uniform: [28000, 33000]}"}
    )


@pytest.fixture(scope="module")
def serial(uncertain_2014):
    return run_replicates(uncertain_2014, N, size=SIZE)


def _same(a, b):
    for name in ("draws", "intervals", "waves", "wave_intervals", "assumptions"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert {k: v for k, v in a.meta.items() if k != "executor"} == {
        k: v for k, v in b.meta.items() if k != "executor"
    }


def test_process_pool_gives_identical_numbers(uncertain_2014, serial):
    pooled = run_replicates(uncertain_2014, N, size=SIZE, executor="process", workers=2)
    _same(serial, pooled)


def test_dask_gives_identical_numbers(uncertain_2014, serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(processes=False, n_workers=2, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_replicates(uncertain_2014, N, size=SIZE, executor="dask", scheduler=client)
    _same(serial, on_dask)


def test_first_replicates_do_not_depend_on_how_many(uncertain_2014, serial):
    two = sim.run_replicates(uncertain_2014, 2, size=SIZE)  # the package's export
    pd.testing.assert_frame_equal(two.draws, serial.draws[serial.draws.replicate < 2])
    pd.testing.assert_frame_equal(
        two.assumptions, serial.assumptions[serial.assumptions.replicate < 2]
    )


def test_replicates_differ_in_population_and_assumptions(serial):
    pop = serial.draws[serial.draws.figure == "population"].value
    assert pop.nunique() == N  # each replicate synthesizes its own population
    rates = serial.assumptions[serial.assumptions.name == "grant.rate"].value
    assert rates.nunique() == N and rates.between(0, 1).all()
    costs = serial.assumptions[serial.assumptions.name == "costs.per_bed_year"].value
    assert costs.between(28000, 33000).all()
    # the cost figure is the bed-years at each replicate's own cost
    d = serial.draws.pivot(index="replicate", columns="figure", values="value")
    np.testing.assert_allclose(d.cost_saved_usd, d.bed_years_saved * costs.to_numpy(), rtol=1e-4)


def test_intervals_contain_the_median(serial):
    iv = serial.intervals
    assert (iv.lo <= iv["median"]).all() and (iv["median"] <= iv.hi).all()
    w = serial.wave_intervals
    assert (w.lo <= w["median"]).all() and (w["median"] <= w.hi).all()
    assert set(iv.figure) >= {"eligible", "granted", "bed_years_saved", "cost_saved_usd"}


def test_waves_are_tidy_and_add_up(serial):
    assert list(serial.waves.columns) == ["replicate", "month", "released"]
    assert serial.waves.month.str.fullmatch(r"\d{4}-\d{2}").all()
    assert serial.waves.groupby("replicate").size().nunique() == 1
    assert serial.meta["n"] == N and serial.meta["interval"] == 0.9


def test_a_replicate_is_seeded_by_seed_and_index_only():
    assert replicate_seeds(5, 2)[0] == replicate_seeds(5, 2)[0]
    assert replicate_seeds(5, 2)[1].random() == replicate_seeds(5, 2)[1].random()
    seeds = {replicate_seeds(5, i)[0] for i in range(50)} | {replicate_seeds(6, 0)[0]}
    assert len(seeds) == 51


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40),
    st.floats(0.01, 0.99),
)
def test_quantile_intervals_contain_their_median(values, interval):
    f = pd.DataFrame({"g": "x", "v": values})
    row = quantiles(f, "g", "v", interval).iloc[0]
    assert row.lo <= row["median"] <= row.hi
    assert min(values) <= row.lo and row.hi <= max(values)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"executor": "spark"}, "unknown executor 'spark'; choose from serial, process, dask"),
        ({"interval": 1.0}, "interval must be between 0 and 1, got 1.0"),
        ({"workers": 0}, "workers must be at least 1, got 0"),
    ],
)
def test_bad_arguments(scenario_2014, kwargs, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(") + "$"):
        run_replicates(scenario_2014, 2, size=SIZE, **kwargs)


def test_missing_dask_is_a_clear_error(scenario_2014, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(RuntimeError, match="needs the 'dask' extra"):
        run_replicates(scenario_2014, 1, size=SIZE, executor="dask")


def test_cli_json_out_and_refusal(tmp_path):
    out = tmp_path / "reps"
    args = ["run", str(SCENARIO_2014), "--replicates", "2", "--size", str(SIZE), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["meta"]["n"] == 2 and doc["meta"]["seed"] == 20140718
    assert {"intervals", "wave_intervals", "draws", "waves", "assumptions"} <= set(doc)
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert (out / "intervals.csv").read_text().startswith("figure,")  # a plain CSV
    meta = json.loads((out / "meta.json").read_text())
    assert meta["scenario_sha256"] == doc["meta"]["scenario_sha256"] and meta["seed"] == 20140718
    assert meta["replicates"] == 2 and meta["scenario_file"] == str(SCENARIO_2014)
    iv = pd.read_csv(out / "intervals.csv").set_index("figure")
    assert iv.loc["eligible", "median"] == pytest.approx(
        next(r["median"] for r in doc["intervals"] if r["figure"] == "eligible")
    )
    again = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert again.exit_code == 2 and "exists; use --force" in again.stderr


def test_cli_table_shows_published_figures():
    args = ["run", str(SCENARIO_2014), "--replicates", "2", "--size", str(SIZE), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "2 replicates: median and 90% interval" in result.stdout
    line = next(s for s in result.stdout.splitlines() if s.startswith(" eligible "))
    assert "2,314*" in line  # 46,290 published, scaled to size 0.05
    assert "published under grant.rate=1" in result.stdout


def test_report_draws_replicate_bands(tmp_path):
    path = tmp_path / "r.html"
    args = ["report", str(SCENARIO_2014), "--size", str(SIZE), "-o", str(path)]
    result = CliRunner().invoke(main, [*args, "--replicates", "2"])
    assert result.exit_code == 0, result.output
    assert "replicate interval" in path.read_text()


def test_run_plots_draw_replicate_bands(tmp_path):
    plots = tmp_path / "plots"
    args = ["run", str(SCENARIO_2014), "--replicates", "2", "--size", str(SIZE), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--plots", str(plots)])
    assert result.exit_code == 0, result.output
    assert "replicate interval" in (plots / "releases_by_month.svg").read_text()
