"""Sobol sensitivity: known analytical answers, and a sane ranking on a real scenario."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

import simulator as sim
from simulator.cli import main
from simulator.runs.sensitivity import scenario_sensitivity, sobol
from tests.conftest import SCENARIO_2014


def test_linear_model_indices_are_the_squared_weights_shares():
    # Y = a X1 + b X2 with independent X ~ U(0, 1): S_i = a_i^2 / (a^2 + b^2), additive so
    # first-order and total indices agree.
    a, b = 1.0, 2.0
    dists = {"x1": stats.uniform(), "x2": stats.uniform()}
    t = sobol(lambda v: {"y": a * v["x1"] + b * v["x2"]}, dists, ["y"], n=1024, seed=3)
    t = t.set_index("assumption")
    truth = {"x1": a**2 / (a**2 + b**2), "x2": b**2 / (a**2 + b**2)}
    assert list(t.index) == ["x2", "x1"]  # ranked by total index
    for name, s in truth.items():
        row = t.loc[name]
        assert row.first_order == pytest.approx(s, abs=0.05)
        assert row.total_order == pytest.approx(s, abs=0.05)
        assert row.first_lo <= s <= row.first_hi
        assert row.total_lo <= s <= row.total_hi


def test_ishigami_indices():
    # Y = sin X1 + 7 sin^2 X2 + 0.1 X3^4 sin X1, X_i ~ U(-pi, pi) (Ishigami & Homma 1990).
    def model(v):
        return {"y": np.sin(v["x1"]) + 7 * np.sin(v["x2"]) ** 2
                + 0.1 * v["x3"] ** 4 * np.sin(v["x1"])}  # fmt: skip

    dists = {k: stats.uniform(-np.pi, 2 * np.pi) for k in ("x1", "x2", "x3")}
    t = sobol(model, dists, ["y"], n=2048, seed=1).set_index("assumption")
    first = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
    total = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
    for k in first:
        assert t.loc[k, "first_order"] == pytest.approx(first[k], abs=0.05)
        assert t.loc[k, "total_order"] == pytest.approx(total[k], abs=0.05)
    assert list(t.index) == ["x1", "x2", "x3"]


@pytest.fixture(scope="module")
def real():
    s = sim.with_overrides(
        sim.load_scenario(SCENARIO_2014),
        {"grant.rate": "{uniform: [0.5, 0.9]}", "costs.per_bed_year": "{uniform: [28000, 33000]}"},
    )
    outputs = ["eligible", "granted", "cost_saved_usd"]
    return scenario_sensitivity(s, outputs, n=128, size=0.02, resamples=50)


def test_grant_rate_drives_grants_and_cost_shares_the_cost(real):
    g = real[real.output == "granted"].set_index("assumption")
    assert g.index[0] == "grant.rate"
    assert g.loc["grant.rate", "total_order"] > 0.8
    assert g.loc["costs.per_bed_year", "total_order"] == pytest.approx(0, abs=1e-9)
    c = real[real.output == "cost_saved_usd"].set_index("assumption")
    assert c.loc["costs.per_bed_year", "total_order"] > 0.02
    assert c.loc["grant.rate", "total_order"] > c.loc["costs.per_bed_year", "total_order"]


def test_a_figure_that_never_varies_has_no_indices(real):
    e = real[real.output == "eligible"]
    assert e.first_order.isna().all() and e.total_order.isna().all()


def _cli(*args):
    return CliRunner().invoke(main, ["sensitivity", str(SCENARIO_2014), *args])


def test_cli_json():
    r = _cli("--set", "grant.rate={beta: [68, 32]}", "--output", "granted", "--n", "8",
             "--size", "0.02", "--resamples", "20", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["meta"]["seed"] == 20140718 and doc["meta"]["n"] == 8
    (row,) = doc["indices"]
    assert row["output"] == "granted" and row["assumption"] == "grant.rate"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [],
            "error: no uncertain assumptions: give some a distribution, e.g. grant.rate: "
            "{beta: [68, 32]}",
        ),
        (
            ["--set", "grant.rate={beta: [68, 32]}", "--n", "6"],
            "error: n must be a power of two (e.g. 256), got 6",
        ),
    ],
)
def test_cli_errors(args, message):
    r = _cli(*args)
    assert r.exit_code == 2
    assert r.stderr.strip() == message


def test_the_same_seed_gives_the_same_intervals_whatever_numpy_global_state():
    # SciPy's Sobol bootstrap draws from numpy's global generator: it must be seeded from ours
    dists = {"x1": stats.uniform(), "x2": stats.uniform()}

    def run(global_seed: int):
        np.random.seed(global_seed)  # noqa: NPY002 (the global state results must not follow)
        return sobol(lambda v: {"y": v["x1"] + 2 * v["x2"] ** 2}, dists, ["y"], n=64, seed=5)

    first, second = run(1), run(2)
    assert first.equals(second)
    np.random.seed(7)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    run_again = sobol(lambda v: {"y": v["x1"]}, dists, ["y"], n=64, seed=5)
    assert run_again is not None
    after = np.random.get_state()[1]  # noqa: NPY002
    assert (after == before).all()  # the caller's global state is put back


def test_cli_says_how_many_runs_and_how_fast_on_stderr_only():
    args = ["sensitivity", str(SCENARIO_2014), "--n", "8", "--size", "0.02", "--json",
            "--set", "grant.rate={uniform: [0.5, 0.9]}", "--figures", "granted"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["meta"]["evaluations"] == 8 * (1 + 2)
    assert "24 runs in" in result.stderr and "a second" in result.stderr
