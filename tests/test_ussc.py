"""The Sentencing Commission's datafiles: the codebook mapping, computed fields, stock, agreement.

Every file here is a fixture written by ``tests/ussc_fixture.py`` in the codebook's variables
(no real datafile: no network); its first rows are the awkward cases of ``AWKWARD``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014
from hypothesis import given, settings
from hypothesis import strategies as st
from ussc_fixture import AWKWARD, REJECTED, write_fixture

import simulator as sim
from simulator.calendar import day
from simulator.cli import main
from simulator.errors import PopulationError
from simulator.inputs import datafiles
from simulator.inputs.agreement import agreement
from simulator.inputs.mapping import Codebook, load_mapping
from simulator.inputs.synthesis import replay_amendments
from simulator.law import DRUGS, SECOND_DRUGS, load_law
from simulator.model.population import in_custody
from simulator.model.sentencing import guideline
from simulator.resources import data_dir

CASES = 80


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ussc")
    for fy in (2013, 2014):
        for suffix in (".csv", ".xpt", ".sav"):
            write_fixture(d / f"fy{fy}{suffix}", fiscal_year=fy, cases=CASES, seed=fy)
    return d


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_the_preset_resolves_to_the_shipped_codebook():
    book = load_mapping("ussc")
    assert isinstance(book, Codebook)
    assert book.variables.final_level.columns == ["XFOLSOR"]
    assert sim.read_ussc is not None


def test_a_wrong_key_in_a_codebook_is_named_with_its_line(tmp_path):
    text = (sim_data() / "ussc.yaml").read_text().replace("  term: {columns", "  terms: {columns")
    bad = tmp_path / "mine.yaml"
    bad.write_text(text)
    with pytest.raises(PopulationError) as err:
        load_mapping(bad)
    lines = str(err.value).splitlines()
    assert any(f"{bad}:" in line and "variables.terms: unknown key" in line for line in lines)
    assert any("variables.term: Field required" in line for line in lines)


def sim_data() -> Path:
    return data_dir() / "mappings"


def test_bad_rows_fail_with_the_usual_row_messages(folder):
    with pytest.raises(PopulationError) as err:
        sim.read_ussc(folder / "fy2014.csv")
    text = str(err.value)
    assert f"{len(REJECTED)} of {CASES} rows are invalid" in text
    assert "row 2: chp (TOTCHPTS): missing" in text
    assert "row 3: age (AGE): missing" in text
    assert "row 8: grams (WGT1.., UNIT1..): missing" in text
    assert "row 10: offense_date (SENTMON, SENTYR): missing" in text
    for row in set(AWKWARD) - set(REJECTED):
        assert f"row {row}:" not in text


def test_computed_fields_of_the_awkward_rows(folder):
    read = sim.read_ussc(folder / "fy2014.csv", on_bad_rows="skip")
    law = load_law()
    assert read.counts["not_imprisoned"] == 1  # probation alone
    assert read.rejected["row"].tolist() == list(REJECTED)
    assert read.counts["valid"] == CASES - 1 - len(REJECTED)
    people = read.cases.to_frame(labels=False).set_index("id")
    raw = pd.read_csv(folder / "fy2014.csv")
    # life coded as 470 and as 9996
    assert people.loc[5, "term"] == people.loc[6, "term"] == law.life_months
    # two drugs: 500 g cocaine (100 kg marijuana) and 28 g crack (99,988 g): the first is the
    # larger converted weight, the second grouped with it in its own grams (§3D1.2(d))
    assert DRUGS[people.loc[4, "drug"]] == "cocaine"
    assert people.loc[4, "grams"] == pytest.approx(500.0, rel=1e-6)
    assert SECOND_DRUGS[people.loc[4, "drug2"]] == "cocaine_base"
    assert people.loc[4, "grams2"] == pytest.approx(28.0, rel=1e-6)
    # pills with the file's converted weight: 100 kg of marijuana as heroin is 100 g
    assert DRUGS[people.loc[8, "drug"]] == "heroin"
    assert people.loc[8, "grams"] == pytest.approx(100.0)
    # kilograms
    assert people.loc[11, "grams"] == pytest.approx(raw.loc[11, "WGT1"] * 1000, rel=1e-6)
    # the sentencing date on the 15th of its month; custody from the months detained
    month, year = int(raw.loc[20, "SENTMON"]), int(raw.loc[20, "SENTYR"])
    sent = day(f"{year}-{month:02d}-15")
    assert people.loc[20, "sentencing_date"] == sent
    held = raw.loc[20, "TIMSERVM"] * 365.2425 / 12
    assert people.loc[20, "custody_start"] == sent - round(held)
    assert people.loc[12, "custody_start"] == people.loc[12, "sentencing_date"]  # not detained
    # the release day is the law's (good-conduct time), from custody start and term
    pop = read.cases
    expect = law.release_day(pop.custody_start, pop.term, pop.infractions, pop.rdap, pop.ftc)
    assert np.array_equal(pop.release_date, expect)
    assert read.counts["several_drugs"] == 1
    assert read.counts["drug_left_out"] == 1
    assert read.counts["converted_weight_from_file"] == 1


def test_every_format_reads_the_same_people(folder, monkeypatch):
    csv = sim.read_ussc(folder / "fy2014.csv", on_bad_rows="skip")
    for suffix in (".xpt", ".sav"):
        other = sim.read_ussc(folder / f"fy2014{suffix}", on_bad_rows="skip")
        for name, column in csv.population.arrays().items():
            assert np.array_equal(column, getattr(other.population, name)), (suffix, name)
        assert other.rejected["row"].tolist() == csv.rejected["row"].tolist()
    # without pyreadstat, pandas reads SAS files (the same variables, the same values: pandas
    # reads the zeros pyreadstat writes into transport files as 16**-65, IBM's smallest float);
    # SPSS files need pyreadstat and say so
    wanted = {"SENTMON", "SENTYR", "WGT1", "DRUGTYP2", "XFOLSOR", "NOT_THERE"}
    fast = datafiles.read_datafile(folder / "fy2014.xpt", wanted)
    monkeypatch.setattr(datafiles, "has_pyreadstat", lambda: False)
    plain = datafiles.read_datafile(folder / "fy2014.xpt", wanted)
    assert sorted(plain.columns) == sorted(fast.columns) == sorted(wanted - {"NOT_THERE"})
    assert np.allclose(plain[fast.columns], fast, atol=1e-70, equal_nan=True)
    with pytest.raises(PopulationError, match=r"\[ussc\]"):
        sim.read_ussc(folder / "fy2014.sav")


def test_a_stack_of_years_gives_the_stock_on_the_snapshot(folder):
    files = [folder / "fy2013.csv", folder / "fy2014.csv"]
    every = sim.read_ussc(files, on_bad_rows="skip")
    stock = sim.read_ussc(files, on_bad_rows="skip", snapshot="2014-11-01")
    on = day("2014-11-01")
    assert len(np.unique(every.cases.id)) == len(every.cases)  # ids unique across the stack
    assert every.counts["rows_read"] == 2 * CASES
    assert stock.counts["in_custody"] == len(stock.population) > 0
    assert in_custody(stock.population, on).all()
    # the stock is those of the cases in custody on the day (no earlier change reaches FY13-14)
    assert len(stock.population) == int(in_custody(every.cases, on).sum())


def test_cli_runs_the_2014_scenario_on_the_stack_with_the_agreement_report(folder, tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "run", SCENARIO_2014, "--population", folder / "fy2013.xpt", "--population",
        folder / "fy2014.csv", "--mapping", "ussc", "--on-bad-rows", "skip", "--json",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    agree = summary["agreement"]
    assert agree["rows"]["rows_read"] == 2 * CASES
    assert summary["population"] == agree["rows"]["in_custody"]
    assert 0.8 < agree["both_agree_share"] <= 1
    # the two rows whose file level is 2 above the engine's are named as such
    assert any("offense level differs" in k for k in agree["disagreements"])
    assert "level and range agree for" in result.stderr
    table = pd.read_csv(out / "agreement.csv")
    assert "level and range agree" in table["measure"].tolist()
    assert len(pd.read_csv(out / "rejected_rows.csv")) == 2 * len(REJECTED)


def test_cli_rejects_bad_rows_and_wrong_combinations(folder):
    result = invoke("run", SCENARIO_2014, "--population", folder / "fy2014.csv", "--mapping",
                    "ussc")  # fmt: skip
    assert result.exit_code == 2
    assert "row 2: chp (TOTCHPTS): missing" in result.stderr
    result = invoke("run", SCENARIO_2014, "--population", folder / "fy2014.csv", "--mapping",
                    "ussc", "--chunk-rows", "10")  # fmt: skip
    assert result.exit_code == 2 and "--chunk-rows" in result.stderr
    result = invoke("run", SCENARIO_2014, "--population", folder / "fy2014.csv",
                    "--population", folder / "fy2013.csv")  # fmt: skip
    assert result.exit_code == 2 and "--mapping ussc" in result.stderr


def test_a_missing_variable_is_named(tmp_path, folder):
    frame = pd.read_csv(folder / "fy2014.csv").drop(columns=["XFOLSOR"])
    frame.to_csv(tmp_path / "no_level.csv", index=False)
    with pytest.raises(PopulationError, match=r"no column for final_level .*XFOLSOR"):
        sim.read_ussc(tmp_path / "no_level.csv")


def test_the_stock_replays_the_earlier_retroactive_amendments(tmp_path):
    path = write_fixture(tmp_path / "fy2006.csv", fiscal_year=2006, cases=150, seed=6,
                         awkward=False)  # fmt: skip
    every = sim.read_ussc(path)
    stock = sim.read_ussc(path, snapshot="2014-11-01")
    on = day("2014-11-01")
    replayed = replay_amendments(load_law(), every.cases, on, 0)
    assert stock.counts["reduced_by_earlier_amendments"] == int((replayed.reduced_by != 0).sum())
    assert stock.counts["reduced_by_earlier_amendments"] > 0  # crack cases of FY2006
    expect = replayed.take(in_custody(replayed, on))
    assert np.array_equal(stock.population.id, expect.id)
    assert np.array_equal(stock.population.release_date, expect.release_date)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_agreement_counts_every_case_once_and_a_changed_record_never_agrees(data):
    read = _sample()
    n = len(read.cases)
    rows = data.draw(st.sets(st.integers(0, n - 1), max_size=n))
    column = data.draw(st.sampled_from(["final_level", "range_min", "range_max"]))
    shift = data.draw(st.integers(1, 5))
    recorded = read.recorded.copy()
    changed = read.cases.id[sorted(rows)]
    recorded.loc[changed, column] += shift
    a = agreement(read.cases, recorded, read.drugs)
    assert a.compared == n
    assert a.both + sum(a.reasons.values()) == a.compared
    assert a.both <= min(a.level, a.range)
    base = agreement(read.cases, read.recorded, read.drugs)
    # the cases changed no longer agree; the others are as they were
    assert a.both == base.both - len(set(changed.tolist()) & set(_agreeing()))


@functools.cache
def _sample():
    return sim.read_ussc(ROOT / "examples" / "ussc_sample.csv", on_bad_rows="skip")


@functools.cache
def _agreeing() -> tuple[int, ...]:
    """Ids of the sample's cases whose level and range the engine reproduces."""
    read, law = _sample(), load_law()
    c = read.cases
    g = guideline(law, c.cases(), edition=law.edition_on(c.drug, c.table_date),
                  statute_day=c.sentencing_date)  # fmt: skip
    rec = read.recorded.loc[c.id]
    ok = (rec["final_level"].to_numpy() == g.level) & (rec["range_min"].to_numpy() == g.range_min)
    ok &= rec["range_max"].to_numpy() == g.range_max
    return tuple(c.id[ok].tolist())


def test_a_codebook_is_refused_where_a_column_mapping_is_expected():
    with pytest.raises(PopulationError, match="read_ussc"):
        sim.read_population(ROOT / "examples" / "ussc_sample.csv", "ussc")
    with pytest.raises(PopulationError, match="no shipped mapping of that name"):
        load_mapping("usc")


def test_a_missing_term_is_rejected_unless_the_sentence_was_probation(tmp_path):
    frame = pd.read_csv(ROOT / "examples" / "ussc_sample.csv")
    clean = frame.iloc[20:30].reset_index(drop=True)
    clean.loc[0, "SENTTOT"] = 99999  # missing: rejected
    clean.loc[1, ["SENTTOT", "SENTIMP"]] = (99999, 3)  # probation alone: left out
    clean.loc[2, "TIMSERVM"] = np.nan  # detained, months unknown: custody from sentencing
    clean.loc[3, "SENTTOT"] = 600  # over 470 months: life
    path = tmp_path / "f.csv"
    clean.to_csv(path, index=False)
    read = sim.read_ussc(path, on_bad_rows="skip")
    assert read.rejected[["row", "reason"]].values.tolist() == [[1, "term (SENTTOT): missing"]]
    assert read.counts["not_imprisoned"] == 1
    assert read.counts["custody_start_assumed"] == 1
    people = read.cases.to_frame(labels=False).set_index("id")
    assert people.loc[2, "custody_start"] == people.loc[2, "sentencing_date"]
    assert people.loc[3, "term"] == load_law().life_months


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "SENTMON,SENTYR\n", "no rows"),
        ("fy.dta", "x", "expected a datafile ending in one of"),
        ("missing.csv", None, "no such file"),
    ],
)
def test_files_that_cannot_be_read_say_why(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(PopulationError, match=message):
        sim.read_ussc(path)
