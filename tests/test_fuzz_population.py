"""Fuzzing population files: every row is accepted or rejected with a reason, never lost.

Frames start from real people and are damaged at random: cells replaced by text, NaN,
negative, huge or fractional numbers, dates out of order or out of range; columns dropped,
duplicated under another name or turned to text. Read as CSV or Parquet, the result is either
a population (rows read = rows accepted + rows rejected, each rejection with a reason) that
the engine runs on, or a :class:`PopulationError` naming the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.errors import PopulationError
from simulator.inputs.population_files import read_population, to_file_frame
from simulator.model.population import SCHEMA
from simulator.runs.chunked import apply_file

ROWS = 12
NAMES = list(SCHEMA)
CELLS = st.one_of(
    st.sampled_from(["", "nan", "NA", "abc", "-1", "-0.5", "0", "1", "2.5", "1e300", "-1e300",
                     "inf", "99999999999", "true", "no", "2014-13-01", "1900-01-01",
                     "2099-12-31", "1987-01-01", "heroin", "black", " 3", "ＴＲＵＥ"]),
    st.integers(-(2**40), 2**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)  # fmt: skip


@pytest.fixture(scope="module")
def base(small_population) -> pd.DataFrame:
    return to_file_frame(small_population.take(np.arange(ROWS) * 97), dates_as_text=True)


@st.composite
def damaged(draw, frame: pd.DataFrame) -> pd.DataFrame:
    df = frame.astype(str)
    for _ in range(draw(st.integers(0, 8))):
        row, col = draw(st.integers(0, ROWS - 1)), draw(st.sampled_from(NAMES))
        df.loc[row, col] = draw(CELLS)
    for _ in range(draw(st.integers(0, 2))):
        col = draw(st.sampled_from(NAMES))
        action = draw(st.sampled_from(["drop", "swap", "rename", "extra"]))
        if col not in df.columns:
            continue
        if action == "drop":
            df = df.drop(columns=[col])
        elif action == "swap":  # dates out of order, or a column holding another's values
            other = draw(st.sampled_from([c for c in df.columns if c != col]))
            df[col], df[other] = df[other].to_numpy(), df[col].to_numpy()
        elif action == "rename":
            df = df.rename(columns={col: col.upper()})
        else:
            df["extra_" + col] = df[col]
    return df


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A CSV any reader reads back row for row.

    Python's csv writer quotes a cell holding a character of the line terminator only: with
    the default ``\n``, a cell holding a lone carriage return is written bare, and every CSV
    reader (ours, Excel, the csv module) takes a bare ``\r`` for a line break. Ending lines
    with ``\r\n`` gets such cells quoted.
    """
    df.to_csv(path, index=False, lineterminator="\r\n")


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Columns that parse as numbers become numbers (as a Parquet writer would store them)."""
    out = df.copy()
    for col in out.columns:
        numbers = pd.to_numeric(out[col], errors="coerce")
        if numbers.notna().all():
            out[col] = numbers
    return out


def check(path, n_rows: int, people_scenario) -> None:
    for mode in ("fail", "skip"):
        try:
            pop = read_population(path, on_bad_rows=mode)
        except PopulationError as exc:
            assert str(exc).startswith(str(path)), str(exc)
            continue
        rejected = pop.meta["rejected"]
        assert len(pop) + len(rejected) == pop.meta["rows_read"] == n_rows
        assert mode == "skip" or len(rejected) == 0
        assert rejected["reason"].str.len().gt(0).all()
        out = sim.apply(pop, people_scenario).summary
        assert out["population"] == len(pop)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          max_examples=150)  # fmt: skip
@given(data=st.data(), parquet=st.booleans())
def test_damaged_frames_are_read_or_rejected_row_by_row(tmp_path, base, scenario_2014, data,
                                                        parquet):  # fmt: skip
    df = data.draw(damaged(base))
    if parquet:
        path = tmp_path / "people.parquet"
        typed(df).to_parquet(path, index=False)
    else:
        path = tmp_path / "people.csv"
        write_csv(df, path)
    check(path, ROWS, scenario_2014)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          max_examples=60)  # fmt: skip
@given(data=st.data(), chunk=st.integers(1, ROWS))
def test_chunked_reading_loses_no_row(tmp_path, base, scenario_2014, data, chunk):
    df = data.draw(damaged(base))
    path = tmp_path / "people.csv"
    write_csv(df, path)
    try:
        whole = read_population(path, on_bad_rows="skip")
    except PopulationError:
        return
    try:
        out, rejected, read = apply_file(path, scenario_2014, on_bad_rows="skip", chunk_rows=chunk)
    except PopulationError as exc:  # a chunk with no valid rows is fine; a file-level error not
        pytest.fail(f"chunked read failed where the whole read did not: {exc}")
    assert read == ROWS
    assert out.summary["population"] + len(rejected) == ROWS
    assert out.summary["population"] == len(whole)
    assert rejected["row"].tolist() == whole.meta["rejected"]["row"].tolist()


@pytest.mark.parametrize("cell", ["\r", "a\rb", "\r\n", "\n", '"\r'])
def test_a_line_break_inside_a_cell_is_one_row(tmp_path, base, scenario_2014, cell):
    """The seeds that failed drew a lone carriage return: written bare, it was a row break."""
    df = base.astype(str)
    df.loc[3, "drug"] = cell
    path = tmp_path / "people.csv"
    write_csv(df, path)
    check(path, ROWS, scenario_2014)
