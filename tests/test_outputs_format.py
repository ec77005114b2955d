"""Outputs: ``--format csv|parquet``, plain CSV headers, ``meta.json``, ``-o/--out`` everywhere,
exit codes in every ``--help``, progress bars (issue 19)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

from simulator.cli import COMMANDS, load_command, main
from simulator.cli.progress import progress_bar
from simulator.model.outcomes import BREAKDOWNS
from simulator.outputs_folder import verify_manifest
from simulator.runs.sensitivity import scenario_sensitivity
from simulator.scenario import load_scenario, with_overrides

SIZE = "0.02"
PROSPECTIVE = ROOT / "scenarios" / "2014_guidelines_prospective.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """One run written as CSV and as Parquet, same seed."""
    root = tmp_path_factory.mktemp("formats")
    for fmt in ("csv", "parquet"):
        args = ["run", "2014_guidelines", "--size", SIZE, "-o", root / fmt, "--format", fmt]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
    return root / "csv", root / "parquet"


def test_parquet_outputs_hold_the_same_tables_as_csv(both):
    csv, parquet = both
    names = [f"by_{b}" for b in BREAKDOWNS] + ["waves"]
    for name in names:
        a = pd.read_csv(csv / f"{name}.csv")
        b = pd.read_parquet(parquet / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)
    people = pd.read_parquet(parquet / "people.parquet")
    assert len(people) == json.loads((csv / "summary.json").read_text())["population"]
    assert not list(parquet.glob("*.csv*"))
    assert (csv / "summary.json").read_text() == (parquet / "summary.json").read_text()


def test_both_folders_pass_their_manifest_and_list_meta_json(both):
    for folder in both:
        assert "meta.json" in verify_manifest(folder)["files"]


def test_meta_json_records_the_provenance(both):
    csv, parquet = both
    summary = json.loads((csv / "summary.json").read_text())
    for folder, fmt in ((csv, "csv"), (parquet, "parquet")):
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["format"] == fmt
        assert meta["seed"] == summary["seed"]
        assert meta["scenario_sha256"] == summary["scenario_sha256"]
        assert meta["version"] == summary["version"]
        assert meta["scenario_file"].endswith("2014_guidelines.yaml")
        assert meta["command"] == f"simulate run 2014_guidelines --size {SIZE} -o {folder} " + (
            f"--format {fmt}"
        )


def test_every_csv_starts_with_its_header(both):
    csv, _ = both
    for path in csv.glob("*.csv"):
        first = path.read_text().splitlines()[0]
        assert not first.startswith("#") and "," in first, path.name


def test_project_and_replicates_write_parquet_and_meta(tmp_path):
    out = tmp_path / "proj"
    args = ["project", PROSPECTIVE, "--size", SIZE, "--years", "1", "-o", out]
    assert invoke(*args, "--format", "parquet").exit_code == 0
    assert set(verify_manifest(out)["files"]) == {
        "projection_monthly.parquet", "projection_yearly.parquet", "projection.json", "meta.json"
    }  # fmt: skip
    assert len(pd.read_parquet(out / "projection_monthly.parquet")) == 12
    reps = tmp_path / "reps"
    args = ["run", SCENARIO_2014, "--replicates", "2", "--size", SIZE, "--quiet", "-o", reps]
    assert invoke(*args, "--format", "parquet").exit_code == 0
    files = verify_manifest(reps)["files"]
    assert "intervals.parquet" in files and "meta.json" in files
    assert json.loads((reps / "meta.json").read_text())["replicates"] == 2


def test_compare_writes_parquet_and_its_meta_beside_it(tmp_path):
    out = tmp_path / "cmp.parquet"
    args = ["compare", "2014_guidelines", "2007_crack_amendment", "--size", SIZE, "-o", out]
    result = invoke(*args, "--format", "parquet")
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out)) == 2
    meta = json.loads((tmp_path / "cmp.meta.json").read_text())
    assert meta["format"] == "parquet" and len(meta["scenario_files"]) == 2


def test_an_unknown_format_is_a_usage_error(tmp_path):
    result = invoke("run", "2014_guidelines", "--format", "xlsx", "-o", tmp_path / "x")
    assert result.exit_code == 2 and "xlsx" in result.output


# ------------------------------------------------------------------ -o/--out and --help
WRITERS = ["run", "project", "compare", "report", "schema", "export-population", "calibrate"]


@pytest.mark.parametrize("name", WRITERS)
def test_every_command_that_writes_takes_o_and_out(name):
    params = {p.name: p for p in load_command(name).params}
    assert {"-o", "--out"} <= set(params["out"].opts), name
    assert "--output" not in CliRunner().invoke(main, [name, "--help"]).output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_help_documents_the_exit_codes(name):
    text = " ".join(CliRunner().invoke(main, [name, "--help"], terminal_width=200).output.split())
    for part in ("0 success", "1 the run failed", "2 bad input", "130 interrupted",
                 "143 terminated"):  # fmt: skip
        assert part in text, (name, part)


def test_the_old_output_spellings_still_work(tmp_path):
    schema = tmp_path / "schema.json"
    assert invoke("schema", "--output", schema).exit_code == 0
    assert json.loads(schema.read_text())["title"]
    again = invoke("schema", "--output", schema)
    assert again.exit_code == 2 and "--force" in again.stderr
    page = tmp_path / "page.html"
    assert invoke("report", "2014_guidelines", "--size", SIZE, "--output", page).exit_code == 0
    assert page.read_text().startswith("<!DOCTYPE html>")
    people = tmp_path / "p.csv"
    assert invoke("export-population", "--size", SIZE, "--output", people).exit_code == 0
    assert people.is_file()


def test_out_wins_over_the_old_spelling_in_either_order(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("schema", "--output", a, "--out", b).exit_code == 0
    assert invoke("schema", "-o", a, "--output", tmp_path / "c.json").exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["a.json", "b.json"]


def test_export_population_still_needs_an_out():
    result = invoke("export-population")
    assert result.exit_code == 2 and "--out" in result.output


def test_max_evals_says_what_it_counts():
    text = " ".join(CliRunner().invoke(main, ["calibrate", "--help"]).output.split())
    assert "population builds for the optimizer" not in text
    assert "least-squares cost" in text and "runs of the scenario" in text


# ------------------------------------------------------------------------------ progress
def test_a_forced_bar_shows_the_count_and_an_eta(capsys):
    with progress_bar("runs", 4, force=True) as update:
        assert update is not None
        for i in range(1, 5):
            update(i, note=f"cost {i}")
    err = capsys.readouterr().err
    assert "runs" in err and "ETA" in err


def test_sensitivity_reports_every_run_to_its_progress_callback():
    sc = with_overrides(load_scenario(SCENARIO_2014), {"grant.rate": "{uniform: [0.5, 0.9]}"})
    seen = []
    scenario_sensitivity(sc, ["granted"], n=8, size=0.02, resamples=20,
                         progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen == [(i, 8 * 3) for i in range(1, 25)]


def test_sensitivity_takes_figures_and_the_old_output_name():
    args = ["sensitivity", "2014_guidelines", "--set", "grant.rate={uniform: [0.5, 0.9]}"]
    args += ["--n", "8", "--size", SIZE, "--resamples", "20", "--json"]
    new = invoke(*args, "--figures", "granted")
    old = invoke(*args, "--output", "granted")
    assert new.exit_code == 0, new.output
    assert json.loads(new.stdout) == json.loads(old.stdout)
    assert {r["output"] for r in json.loads(new.stdout)["indices"]} == {"granted"}


def test_no_bar_when_stderr_is_not_a_terminal():
    args = ["run", "2014_guidelines", "--replicates", "2", "--size", SIZE, "--json"]
    assert invoke(*args).stderr == ""
