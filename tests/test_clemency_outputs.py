"""Clemency's backlog and grants by month where users look: a CSV, a terminal table, a plot."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014
from matplotlib.figure import Figure

import simulator as sim
from simulator.cli import main
from simulator.report.plots import clemency_flow

CLEMENCY = ROOT / "scenarios" / "2014_clemency_initiative.yaml"
SIZE = "0.05"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def clemency_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("clemency")
    result = invoke("run", CLEMENCY, "--size", SIZE, "--out", d / "out", "--plots", d / "plots")
    assert result.exit_code == 0, result.output
    return result, d


def test_csv_has_the_columns_and_agrees_with_the_summary(clemency_run):
    _, d = clemency_run
    frame = pd.read_csv(d / "out" / "clemency_by_month.csv", dtype={"month": str})
    assert frame.columns.tolist() == ["month", "backlog", "grants_cumulative"]
    c = json.loads((d / "out" / "summary.json").read_text())["clemency"]
    assert (
        dict(zip(frame["month"], frame["backlog"].tolist(), strict=True)) == c["backlog_by_month"]
    )
    grants = dict(zip(frame["month"], frame["grants_cumulative"].tolist(), strict=True))
    assert grants == c["grants_by_month"]
    assert frame["grants_cumulative"].iloc[-1] == c["granted"]
    manifest = json.loads((d / "out" / "manifest.json").read_text())
    assert "clemency_by_month.csv" in json.dumps(manifest)


def test_waves_hold_the_backlog_and_grants_beside_the_releases(clemency_run):
    _, d = clemency_run
    waves = pd.read_csv(d / "out" / "waves.csv", dtype={"month": str})
    c = json.loads((d / "out" / "summary.json").read_text())["clemency"]
    assert waves.columns.tolist()[-2:] == ["backlog", "grants_cumulative"]
    review = waves[waves["month"].isin(list(c["backlog_by_month"]))]
    assert (
        dict(zip(review["month"], review["backlog"].astype(int), strict=True))
        == (c["backlog_by_month"])
    )
    assert (
        dict(zip(review["month"], review["grants_cumulative"], strict=True))
        == (c["grants_by_month"])
    )
    after = waves[waves["month"] > max(c["backlog_by_month"])]
    assert after["backlog"].isna().all()  # no review after the last month: blank, not 0
    assert (after["grants_cumulative"] == c["granted"]).all()


def test_waves_of_other_scenarios_hold_releases_only(tmp_path):
    result = invoke("run", SCENARIO_2014, "--size", SIZE, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    waves = pd.read_csv(tmp_path / "o" / "waves.csv")
    assert waves.columns.tolist() == ["month", "releases", "baseline", "scenario"]


def test_terminal_shows_the_year_ends(clemency_run):
    result, d = clemency_run
    c = json.loads((d / "out" / "summary.json").read_text())["clemency"]
    assert "Clemency at each year's end" in result.output
    last = list(c["backlog_by_month"])[-1]
    assert last in result.output
    assert "2014-12" in result.output


def test_plot_is_drawn_and_written(clemency_run):
    s = sim.load_scenario(CLEMENCY)
    fig = clemency_flow(sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s))
    assert isinstance(fig, Figure)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "pending",
        "granted so far",
    ]
    _, d = clemency_run
    assert (d / "plots" / "clemency_by_month.png").stat().st_size > 0
    assert (d / "plots" / "clemency_by_month.svg").stat().st_size > 0


def test_html_report_embeds_the_plot(tmp_path):
    page = tmp_path / "report.html"
    result = invoke("report", CLEMENCY, "--size", SIZE, "-o", page)
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "id='plot-clemency_by_month'><svg" in html


def test_other_scenarios_have_none_of_it(tmp_path):
    result = invoke(
        "run", SCENARIO_2014, "--size", SIZE, "--out", tmp_path / "o", "--plots", tmp_path / "p"
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "o" / "clemency_by_month.csv").exists()
    assert not list((tmp_path / "p").glob("clemency_by_month.*"))
    assert "Clemency at each year's end" not in result.output
    s = sim.load_scenario(SCENARIO_2014)
    assert clemency_flow(sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s)) is None
