"""The ``simulate`` command line, driven through click's test runner."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIO_2014

import simulator
from simulator.cli import main
from simulator.model.outcomes import BREAKDOWNS
from simulator.scenario import load_scenario

SIZE = "0.03"
KEYS = {
    "population",
    "eligible",
    "granted",
    "mean_reduction_months",
    "mean_reduction_pct",
    "released_first_day",
    "released_first_year",
    "bed_years_saved",
    "cost_saved_usd",
    "seed",
    "scenario_sha256",
    "waves",
}
OUT_FILES = ["summary.json", "waves.csv", "people.csv.gz"] + [f"by_{b}.csv" for b in BREAKDOWNS]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def out_run(tmp_path_factory):
    """One run with --json and --out, shared by the tests that read its results."""
    out = tmp_path_factory.mktemp("run") / "results"
    result = invoke("run", str(SCENARIO_2014), "--size", SIZE, "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    return result, out


@pytest.fixture(scope="module")
def summary(out_run):
    return json.loads(out_run[0].stdout)


def test_json_summary_has_the_headline_keys(summary):
    assert KEYS <= set(summary)
    assert summary["population"] > 0
    assert 0 < summary["granted"] <= summary["eligible"] <= summary["population"]
    assert summary["bed_years_saved"] > 0
    assert summary["cost_saved_usd"] > 0


def test_json_is_one_line(out_run):
    assert len(out_run[0].stdout.strip().splitlines()) == 1


def test_waves_are_monthly_for_ten_years(summary):
    waves = summary["waves"]
    assert isinstance(waves, list)
    assert len(waves) >= 120
    assert all(set(w) == {"month", "releases"} for w in waves)
    assert all(re.fullmatch(r"\d{4}-\d{2}", w["month"]) for w in waves)
    months = [w["month"] for w in waves]
    assert months == sorted(months)
    assert len(set(months)) == len(months)
    assert months[0] == "2014-11"
    assert all(isinstance(w["releases"], int) and w["releases"] >= 0 for w in waves)
    assert sum(w["releases"] for w in waves) <= summary["granted"]
    # nobody is released before the earliest-release date
    assert all(w["releases"] == 0 for w in waves if w["month"] < "2015-11")


def test_default_seed_and_hash_are_recorded(summary):
    scenario = load_scenario(SCENARIO_2014)
    assert summary["seed"] == scenario.seed
    assert summary["scenario_sha256"] == scenario.sha256()
    assert summary["version"] == simulator.__version__


def test_seed_option_is_recorded():
    result = invoke("run", str(SCENARIO_2014), "--size", SIZE, "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seed"] == 5


def test_set_grant_rate_one_grants_every_eligible_person(summary):
    result = invoke("run", str(SCENARIO_2014), "--size", SIZE, "--json", "--set", "grant.rate=1")
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["granted"] == s["eligible"] > 0
    # the same people are eligible as in the default run; only the grant decisions change
    assert s["eligible"] == summary["eligible"]
    assert s["granted"] > summary["granted"]
    assert s["scenario_sha256"] != summary["scenario_sha256"]


def test_out_writes_every_file(out_run, summary):
    _, out = out_run
    for name in OUT_FILES:
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp"))
    written = json.loads((out / "summary.json").read_text())
    assert written == summary


def test_out_files_record_provenance_in_meta_json(out_run, summary):
    _, out = out_run
    meta = json.loads((out / "meta.json").read_text())
    for key in ("scenario_sha256", "seed", "version", "size", "snapshot"):
        assert meta[key] == summary[key], key
    assert meta["scenario"] == summary["scenario"]
    assert meta["scenario_file"] == str(SCENARIO_2014)
    assert meta["format"] == "csv"
    assert meta["command"].startswith(f"simulate run {SCENARIO_2014} --size {SIZE} --json --out")
    for name in ["waves.csv"] + [f"by_{b}.csv" for b in BREAKDOWNS]:
        assert not (out / name).read_text().startswith("#"), name  # plain CSV: header first
    with gzip.open(out / "people.csv.gz", "rt") as fh:
        text = fh.read()
    assert text.startswith("id,")
    people = pd.read_csv(io.StringIO(text))
    assert len(people) == summary["population"]
    assert int(people["eligible"].sum()) == summary["eligible"]
    assert int(people["granted"].sum()) == summary["granted"]
    assert (people["new_term"] <= people["term"]).all()


def test_out_waves_and_breakdowns_agree_with_summary(out_run, summary):
    _, out = out_run
    waves = pd.read_csv(out / "waves.csv")
    assert list(waves["month"]) == [w["month"] for w in summary["waves"]]
    assert list(waves["releases"]) == [w["releases"] for w in summary["waves"]]
    for by in BREAKDOWNS:
        frame = pd.read_csv(out / f"by_{by}.csv")
        assert frame["population"].sum() == summary["population"], by
        assert frame["eligible"].sum() == summary["eligible"], by
        assert frame["granted"].sum() == summary["granted"], by


def test_second_out_without_force_refuses_and_keeps_files(out_run):
    _, out = out_run
    before = {
        name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in OUT_FILES
    }
    result = invoke("run", str(SCENARIO_2014), "--size", SIZE, "--seed", "9", "--out", str(out))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--force" in result.stderr
    assert "Traceback" not in result.output
    after = {
        name: ((out / name).read_bytes(), (out / name).stat().st_mtime_ns) for name in OUT_FILES
    }
    assert after == before


def test_force_overwrites(tmp_path):
    out = tmp_path / "res"
    first = invoke("run", str(SCENARIO_2014), "--size", "0.02", "--out", str(out), "--json")
    assert first.exit_code == 0, first.output
    second = invoke(
        "run",
        str(SCENARIO_2014),
        "--size",
        "0.02",
        "--seed",
        "3",
        "--out",
        str(out),
        "--force",
        "--json",
    )
    assert second.exit_code == 0, second.output
    assert json.loads((out / "summary.json").read_text())["seed"] == 3


def test_bad_scenario_exits_2_with_location(tmp_path):
    text = SCENARIO_2014.read_text().replace("rate: 0.68", "rat: 0.68")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "rat: 0.68" in s)
    result = invoke("run", str(bad), "--size", SIZE, "--json")
    assert result.exit_code == 2
    assert f"{bad}:{line}:" in result.stderr
    assert "grant.rat" in result.stderr
    assert "did you mean 'rate'" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "grant.rate=2"], "grant.rate"),
        (["--set", "grant.rate"], "expected dotted.key=value"),
        (["--set", "grant.rat=0.5"], "did you mean 'rate'"),
    ],
)
def test_bad_override_exits_2(args, fragment):
    result = invoke("run", str(SCENARIO_2014), "--size", SIZE, *args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_missing_scenario_exits_2(tmp_path):
    result = invoke("run", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert "missing.yaml" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("size", ["0", "-1", "500", "big"])
def test_bad_size_is_a_usage_error(size):
    result = invoke("run", str(SCENARIO_2014), "--size", size)
    assert result.exit_code == 2
    assert "--size" in result.output


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["run", "--help"]])
def test_help(args):
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_run_help_lists_options():
    text = invoke("run", "--help").output
    for option in ("--seed", "--size", "--set", "--json", "--out", "--force"):
        assert option in text


def test_table_output_without_json():
    result = invoke("run", str(SCENARIO_2014), "--size", "0.02")
    assert result.exit_code == 0, result.output
    assert "Eligible for a reduction" in result.stdout
    assert "By drug type" in result.stdout


def test_path_argument_accepts_relative_path(monkeypatch):
    monkeypatch.chdir(Path(SCENARIO_2014).parents[1])
    result = invoke("run", "scenarios/2014_guidelines.yaml", "--size", "0.02", "--json")
    assert result.exit_code == 0, result.output


def test_an_unexpected_error_is_one_line_without_traceback(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("simulator.runs.blocks.apply", boom)
    monkeypatch.delenv("SIMULATOR_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["run", str(SCENARIO_2014), "--size", "0.01"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: RuntimeError: boom (SIMULATOR_DEBUG=1 for details)"
    ]
    assert "Traceback" not in result.output
