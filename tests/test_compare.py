"""simulate compare: common random numbers, baseline differences, CSV output."""

from __future__ import annotations

import io
import json

import pandas as pd
import yaml
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

import simulator as sim
from simulator.cli import main
from simulator.runs.compare import FIGURES, compare

SIZE = "0.05"


def _variant(tmp_path, name, **changes):
    doc = yaml.safe_load(SCENARIO_2014.read_text())
    for dotted, value in changes.items():
        node = doc
        *parents, last = dotted.split(".")
        for p in parents:
            node = node[p]
        node[last] = value
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_same_people_when_populations_agree(tmp_path):
    full = sim.load_scenario(_variant(tmp_path, "all_granted", **{"grant.rate": 1.0}))
    base = sim.load_scenario(SCENARIO_2014)
    rows, notes = compare([base, full], seed=3, size=0.05)
    assert notes == []
    a, b = rows
    assert a["population"] == b["population"]
    assert a["eligible"] == b["eligible"]  # same people, same eligibility
    assert b["granted"] == b["eligible"] >= a["granted"]  # same luck: more grants only add
    assert a["seed"] == b["seed"] == 3
    # and they equal a plain run with that seed
    pop = sim.synthesize(base.population, seed=3, size=0.05)
    assert sim.apply(pop, base).summary["granted"] == a["granted"]


def test_different_population_is_synthesized_again_and_said(tmp_path):
    other = sim.load_scenario(_variant(tmp_path, "later", **{"population.snapshot": "2015-03-31"}))
    rows, notes = compare([sim.load_scenario(SCENARIO_2014), other], seed=3, size=0.05)
    assert len(notes) == 1 and "snapshot 2015-03-31 vs 2014-11-01" in notes[0]
    assert rows[0]["population"] != rows[1]["population"]


def test_cli_table_and_csv(tmp_path):
    full = _variant(tmp_path, "all_granted", **{"grant.rate": 1.0})
    out = tmp_path / "cmp.csv"
    args = ["compare", str(SCENARIO_2014), str(full), "--size", SIZE, "--seed", "4"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2014_guidelines" in result.stdout and "all_granted" in result.stdout
    assert "(baseline)" in result.stdout
    text = out.read_text()
    assert text.startswith("scenario_file,scenario,")  # a plain CSV; provenance beside it
    meta = json.loads((tmp_path / "cmp.meta.json").read_text())
    assert meta["seed"] == 4 and meta["command"].startswith("simulate compare ")
    assert meta["scenario_files"] == [str(SCENARIO_2014), str(full)]
    df = pd.read_csv(io.StringIO(text))
    assert list(df["scenario_file"]) == [str(SCENARIO_2014), str(full)]
    for key, _ in FIGURES:
        assert df[f"{key}_vs_baseline"].iloc[0] == 0
        assert abs(df[f"{key}_vs_baseline"].iloc[1] - (df[key].iloc[1] - df[key].iloc[0])) < 0.01
    assert df["granted_vs_baseline"].iloc[1] > 0
    again = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_cli_errors_are_one_line(tmp_path):
    one = CliRunner().invoke(main, ["compare", str(SCENARIO_2014)])
    assert one.exit_code == 2 and "at least two" in one.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\n")
    res = CliRunner().invoke(main, ["compare", str(SCENARIO_2014), str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output and "bad.yaml" in res.output
    assert (ROOT / "scenarios").exists()
