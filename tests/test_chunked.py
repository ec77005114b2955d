"""Chunked runs: the same summary, waves and breakdowns as a run on the whole population."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.errors import ChunkingError, PopulationError
from simulator.inputs.population_files import read_population, to_file_frame, write_population
from simulator.runs.chunked import apply_chunked, apply_file, split
from simulator.runs.population_file import run_file
from simulator.scenario import with_overrides

MULTI = ROOT / "scenarios" / "2023_amendment_821.yaml"


@pytest.fixture(scope="module")
def scenario_821():
    return sim.load_scenario(MULTI)


@pytest.mark.parametrize("rows", [1, 997, 2500, 10**9])
def test_chunked_summary_equals_the_whole_run(small_population, scenario_2014, rows):
    pop = small_population if rows > 1 else small_population.take(np.arange(300))
    whole = sim.apply(pop, scenario_2014)
    chunked = apply_chunked(split(pop, rows), scenario_2014)
    assert chunked.summary == whole.summary
    for key in ("releases", "baseline", "scenario"):
        assert np.array_equal(chunked.wave_counts[key], whole.wave_counts[key])
    assert chunked.waves.equals(whole.waves)
    assert chunked.breakdown("race").equals(whole.breakdown("race"))


@pytest.mark.parametrize("rows", [640, 3001])
def test_chunked_summary_with_several_changes_and_other_grant_rates(
    small_population, scenario_821, rows
):
    for sc in (scenario_821, with_overrides(scenario_821, {"grant.rate": "1"})):
        whole = sim.apply(small_population, sc).summary
        assert "by_change" in whole
        assert apply_chunked(split(small_population, rows), sc).summary == whole


def test_clemency_cannot_be_chunked(small_population):
    sc = sim.load_scenario(ROOT / "scenarios" / "2014_clemency_initiative.yaml")
    with pytest.raises(ChunkingError, match="clemency scenario cannot be run in chunks"):
        apply_chunked(split(small_population, 1000), sc)


def test_file_in_chunks_equals_file_read_whole(small_population, scenario_2014, tmp_path):
    path = write_population(small_population, tmp_path / "people.parquet")
    whole = sim.apply(read_population(path), scenario_2014).summary
    out, rejected, read = apply_file(path, scenario_2014, chunk_rows=1234)
    assert out.chunks == -(-len(small_population) // 1234)
    assert out.summary == whole
    assert read == len(small_population) and len(rejected) == 0


def test_no_rows(scenario_2014):
    with pytest.raises(ChunkingError, match="no people"):
        _ = apply_chunked([], scenario_2014).summary


# ------------------------------------------------------------------------ bad and repeated rows
#: Damage that makes a row invalid on its own (an invalid id among them).
BAD_CELLS = [("grams", "-1"), ("grams", "x"), ("id", "x"), ("id", "-4"), ("drug", "tea"),
             ("offense_date", "2099-01-01"), ("chp", ""), ("term", "0")]  # fmt: skip


@pytest.fixture(scope="module")
def forty(small_population) -> pd.DataFrame:
    return to_file_frame(small_population.take(np.arange(40) * 31), dates_as_text=True).astype(str)


@st.composite
def bad_and_repeated(draw, base: pd.DataFrame) -> pd.DataFrame:
    """A file whose ids repeat (among valid and invalid rows) and some of whose rows are bad."""
    df = base.copy()
    n = len(df)
    df["id"] = [str(i) for i in draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))]
    for row in draw(st.lists(st.integers(0, n - 1), max_size=n // 2)):
        column, value = draw(st.sampled_from(BAD_CELLS))
        df.loc[row, column] = value
    return df


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers as a Parquet writer stores them: whole numbers with nulls included."""
    out = df.copy()
    for col in out.columns:
        blank = out[col] == ""
        v = pd.to_numeric(out[col].where(~blank), errors="coerce")
        if v[~blank].notna().all():
            whole = (v.dropna() % 1 == 0).all()
            out[col] = v.astype("Int64") if whole else v
    return out


def run_both(path: Path, scenario, on_bad_rows: str, chunk_rows: int):
    """(whole, chunked): each the FileRun, or the error message."""
    out = []
    for rows in (None, chunk_rows):
        try:
            out.append(run_file(scenario, path, mapping=None, on_bad_rows=on_bad_rows, seed=3,
                                chunk_rows=rows))  # fmt: skip
        except PopulationError as exc:
            out.append(str(exc))
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), chunk_rows=st.integers(1, 45), parquet=st.booleans())
def test_chunked_and_whole_runs_agree_on_files_with_bad_and_repeated_rows(
    tmp_path, forty, scenario_2014, data, chunk_rows, parquet
):  # fmt: skip
    """The same rows rejected for the same reasons, and the same figures, in any chunking."""
    df = data.draw(bad_and_repeated(forty))
    path = tmp_path / ("people.parquet" if parquet else "people.csv")
    if parquet:  # as another tool writes it: no pandas metadata to restore pandas dtypes
        table = pa.Table.from_pandas(typed(df), preserve_index=False)
        pq.write_table(table.replace_schema_metadata(None), path)
    else:
        df.to_csv(path, index=False)
    for on_bad_rows in ("skip", "fail"):
        whole, chunked = run_both(path, scenario_2014, on_bad_rows, chunk_rows)
        if isinstance(whole, str) or isinstance(chunked, str):
            assert whole == chunked
            continue
        assert chunked.outcome.summary == whole.outcome.summary
        assert chunked.outcome.waves.equals(whole.outcome.waves)
        assert chunked.rejected.equals(whole.rejected)
        assert chunked.rows_read == whole.rows_read == len(df)


def test_an_invalid_row_claims_no_id(forty, scenario_2014, tmp_path):
    """Validate first; among the valid rows the first with an id is kept, later ones rejected."""
    df = forty.copy()
    df["id"] = [str(i) for i in range(40)]
    df.loc[[3, 7, 9], "id"] = "5"  # rows 4, 8 and 10; row 6 has id 5 too
    df.loc[3, "grams"] = "x"  # invalid: row 6 is the first valid row with id 5
    df.loc[0, "id"] = "99"
    df.loc[12, "id"] = "zz"  # row 13: an unreadable id is not id 0, which row 21 has
    df.loc[20, "id"] = "0"
    df.to_csv(tmp_path / "people.csv", index=False)
    for rows in (None, 1, 4, 8):
        run = run_file(scenario_2014, tmp_path / "people.csv", mapping=None, on_bad_rows="skip",
                       seed=0, chunk_rows=rows)  # fmt: skip
        assert run.rejected["row"].tolist() == [4, 8, 10, 13], rows
        assert run.rejected["reason"].tolist() == [
            "grams: not a number (got x)",
            "id: repeats an earlier row's id (got 5)",
            "id: repeats an earlier row's id (got 5)",
            "id: not a number (got zz)",
        ]
        assert run.outcome.summary["population"] == 36
