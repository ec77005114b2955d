"""simulate export-population, run --population/--mapping/--on-bad-rows/--chunk-rows, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

from simulator.cli import main
from simulator.inputs.population_files import _comment_lines
from simulator.report import outputs as report

SIZE = "0.03"
META = ("seed", "size", "snapshot", "population_file")


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file: a population file after its ``#`` provenance lines, or a plain output."""
    return pd.read_csv(path, dtype=str, skiprows=_comment_lines(path))


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "people.csv"
    result = invoke("export-population", "--seed", "4", "--size", SIZE, "-o", path)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr
    return path


def summary(*args: str) -> dict:
    result = invoke("run", SCENARIO_2014, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_run_on_an_exported_population_equals_the_synthetic_run(exported):
    synthetic = summary("--seed", "4", "--size", SIZE)
    from_file = summary("--population", exported)
    assert {k: v for k, v in from_file.items() if k not in META} == {
        k: v for k, v in synthetic.items() if k not in META
    }
    assert from_file["population_file"] == {
        "path": str(exported),
        "rows_read": synthetic["population"],
        "rows_rejected": 0,
    }


def test_chunk_rows_give_the_same_summary(exported):
    assert summary("--population", exported, "--chunk-rows", "700") == summary(
        "--population", exported
    )


def test_export_refuses_to_overwrite_and_checks_its_options(exported, tmp_path):
    result = invoke("export-population", "--size", SIZE, "-o", exported)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{exported} exists; use --force to overwrite"
    result = invoke("export-population", "--size", SIZE, "-o", tmp_path / "p.xlsx")
    assert result.exit_code == 2 and "must end in .parquet, .csv or .csv.gz" in result.stderr
    result = invoke("export-population", "--snapshot", "1990-01-01", "-o", tmp_path / "p.csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == "--snapshot 1990-01-01: must be from 2000-01-01 to 2025-12-31"


def test_export_parquet_with_force(tmp_path):
    path = tmp_path / "p.parquet"
    path.write_text("old")
    result = invoke("export-population", "--size", "0.01", "--snapshot", "2020-01-01",
                    "-o", path, "--force")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:4] == b"PAR1"


def bad_copy(exported: Path, tmp_path: Path) -> Path:
    df = read_csv(exported)
    df.loc[[3, 10], "grams"] = "-5"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def test_bad_rows_fail_with_exit_2_and_every_row_listed(exported, tmp_path):
    path = bad_copy(exported, tmp_path)
    result = invoke("run", SCENARIO_2014, "--population", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}: 2 of ")
    assert lines[1:] == [
        f"{path}: row 4: grams: must be above 0 (got -5)",
        f"{path}: row 11: grams: must be above 0 (got -5)",
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("chunk", [[], ["--chunk-rows", "500"]])
def test_skip_writes_rejected_rows_beside_the_outputs(exported, tmp_path, chunk):
    path, out = bad_copy(exported, tmp_path), tmp_path / "out"
    result = invoke("run", SCENARIO_2014, "--population", path, "--on-bad-rows", "skip",
                    "--out", out, "--json", *chunk)  # fmt: skip
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    rejected = read_csv(out / "rejected_rows.csv")
    assert rejected["row"].tolist() == ["4", "11"]
    assert set(rejected["reason"]) == {"grams: must be above 0 (got -5)"}
    pf = s["population_file"]
    assert pf["rows_read"] == s["population"] + pf["rows_rejected"] == s["population"] + 2
    assert json.loads((out / "meta.json").read_text())["population_file"] == pf
    assert not (out / "rejected_rows.csv").read_text().startswith("#")  # a plain CSV
    assert "2 of" in result.stderr and "rejected" in result.stderr
    assert (out / "people.csv.gz").exists() != bool(chunk)
    # a second run refuses before writing anything, rejected rows included
    before = (out / "rejected_rows.csv").stat().st_mtime_ns
    again = invoke("run", SCENARIO_2014, "--population", path, "--on-bad-rows", "skip",
                   "--out", out, *chunk)  # fmt: skip
    assert again.exit_code == 2 and "--force" in again.stderr
    assert (out / "rejected_rows.csv").stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mapping", "m.yaml"], "--mapping needs --population FILE"),
        (["--chunk-rows", "10"], "--chunk-rows needs --population FILE"),
        (["--population", "p.csv", "--size", "1"],
         "--size scales the synthetic population; it cannot be used with --population"),
        (["--population", "nowhere.csv"], "nowhere.csv: no such file"),
    ],
)  # fmt: skip
def test_population_option_errors_exit_2(args, message):
    result = invoke("run", SCENARIO_2014, *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_clemency_in_chunks_exits_2(exported):
    result = invoke("run", ROOT / "scenarios" / "2014_clemency_initiative.yaml",
                    "--population", exported, "--chunk-rows", "1000")  # fmt: skip
    assert result.exit_code == 2
    assert "clemency scenario cannot be run in chunks" in result.stderr


def test_a_court_process_in_chunks_exits_2(exported):
    result = invoke("run", ROOT / "scenarios" / "2014_guidelines_courts.yaml",
                    "--population", exported, "--chunk-rows", "1000")  # fmt: skip
    assert result.exit_code == 2
    assert "retroactivity.process cannot be run in chunks" in result.stderr


def test_calibrate_refuses_to_overwrite_an_output(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("keep")
    result = invoke("calibrate", "--output", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path} exists; use --force to overwrite"
    assert path.read_text() == "keep"


# ------------------------------------------------------------------------ atomic outputs
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_crash_mid_write_leaves_no_output_and_no_temporary_file(
    small_outcome, tmp_path, monkeypatch, error
):
    def crash(people, fh):
        fh.write(b"half a file")
        raise error("disk on fire")

    monkeypatch.setattr(report, "_write_people", crash)
    out = tmp_path / "out"
    with pytest.raises(error):
        report.write_outputs(small_outcome, out)
    assert [p.name for p in tmp_path.iterdir()] == [".out.lock"]  # no folder, no temporary


def test_a_crash_mid_population_write_leaves_nothing(small_population, tmp_path, monkeypatch):
    from simulator.inputs import population_files

    def crash(self, *a, **k):
        raise OSError("no space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash)
    with pytest.raises(OSError):
        population_files.write_population(small_population, tmp_path / "p.csv")
    assert list(tmp_path.iterdir()) == []


def test_cli_crash_mid_write_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def crash(people, fh):
        fh.write(b"partial")
        raise OSError("no space left on device")

    monkeypatch.setattr(report, "_write_people", crash)
    out = tmp_path / "out"
    result = invoke("run", SCENARIO_2014, "--size", "0.02", "--out", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no space left on device"
    assert [p.name for p in tmp_path.iterdir()] == [".out.lock"]  # no folder, no temporary


def test_a_large_file_is_read_in_chunks_without_asking(exported, tmp_path, monkeypatch):
    from simulator.runs import chunked, population_file

    parquet = tmp_path / "people.parquet"
    assert invoke("export-population", "--seed", "4", "--size", SIZE, "-o", parquet).exit_code == 0
    whole = summary("--population", parquet)
    monkeypatch.setattr(chunked, "AUTO_CHUNK_ROWS", 1000)
    monkeypatch.setattr(population_file, "DEFAULT_CHUNK_ROWS", 700)
    result = invoke(
        "run", SCENARIO_2014, "--json", "--population", parquet, "--out", tmp_path / "o"
    )
    assert result.exit_code == 0, result.output
    assert "a large file, read 700 rows at a time" in result.stderr
    assert json.loads(result.stdout) == whole
    assert not (tmp_path / "o" / "people.csv.gz").exists()


def test_a_rejected_row_holding_a_line_break_is_one_row_of_rejected_rows(exported, tmp_path):
    """A quoted \\r or \\n in a rejected row's cell is quoted again in rejected_rows.csv."""
    df = read_csv(exported)
    df.loc[3, "grams"] = "x\r12"
    df.loc[10, "grams"] = "7\nx"
    path = tmp_path / "breaks.csv"
    df.to_csv(path, index=False, lineterminator="\r\n")  # quotes both cells
    out = tmp_path / "out"
    result = invoke("run", SCENARIO_2014, "--population", path, "--on-bad-rows", "skip",
                    "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    rejected = read_csv(out / "rejected_rows.csv")
    assert rejected["row"].tolist() == ["4", "11"]
    assert rejected["grams"].tolist() == ["x\r12", "7\nx"]
