"""Population files that used to be misread or refused with a poor message.

Each test names the kind of file: not UTF-8, a byte-order mark before the provenance lines, a
column named twice (in the file, or by a mapping), dates with a time zone or a time of day,
quantities too small for float32, files without rows or header, and odd Parquet column types.
"""

from __future__ import annotations

import gc
import gzip
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.calendar import day
from simulator.cli import main
from simulator.errors import PopulationError
from simulator.inputs.population_files import (
    iter_population,
    read_population,
    to_file_frame,
    write_population,
)
from simulator.law import DRUGS, load_law
from simulator.model.population import stored
from simulator.runs.worksheet import case_population

BOM = b"\xef\xbb\xbf"
CASELOAD = ROOT / "examples" / "caseload.csv"
CASELOAD_MAPPING = ROOT / "examples" / "caseload_mapping.yaml"


@pytest.fixture
def people(small_population):
    return small_population.take(np.arange(6))


@pytest.fixture
def text(people) -> pd.DataFrame:
    """Six people as a CSV holds them."""
    return to_file_frame(people, dates_as_text=True).astype(str)


def error(path: Path, **kw) -> str:
    with pytest.raises(PopulationError) as exc:
        read_population(path, **kw)
    return str(exc.value)


def cli_error(*args: object) -> str:
    res = CliRunner().invoke(main, ["run", str(SCENARIO_2014), *map(str, args)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return res.stderr.strip()


def same_arrays(a, b) -> bool:
    pairs = zip(a.arrays().values(), b.arrays().values(), strict=True)
    return all(np.array_equal(x, y) for x, y in pairs)


# ------------------------------------------------------------------------ 3b: not UTF-8
def latin1(text: pd.DataFrame, path: Path, comment: str = "") -> Path:
    text = text.copy()
    text.loc[2, "drug"] = "héroïne"
    path.write_bytes((comment + text.to_csv(index=False)).encode("latin-1"))
    return path


@pytest.mark.parametrize("chunk_rows", [None, 2])
def test_csv_not_utf8_names_the_file_byte_line_and_row(text, tmp_path, chunk_rows):
    path = latin1(text, tmp_path / "people.csv")
    offset = path.read_bytes().index(b"\xe9")
    with pytest.raises(PopulationError) as exc:
        list(iter_population(path, chunk_rows=chunk_rows))
    assert str(exc.value) == (
        f"{path}: not UTF-8 text: byte {offset:,} (line 4, row 3) is 0xe9; save the file as "
        "UTF-8 (CSV UTF-8)"
    )


def test_csv_not_utf8_in_a_provenance_line_or_the_header(text, tmp_path):
    path = latin1(text, tmp_path / "a.csv", comment="# source: café\n# seed: 1\n")
    assert "byte 13 (line 1, a # line) is 0xe9" in error(path)
    path = tmp_path / "b.csv"
    header = text.to_csv(index=False).replace("id,", "\xefd,", 1)
    path.write_bytes(b"# a\n" + header.encode("cp1252"))
    assert "byte 4 (line 2, the header) is 0xef" in error(path)


def test_csv_not_utf8_counts_rows_not_lines(text, tmp_path):
    """A quoted cell holding a line break is one row: the row number says so."""
    text = text.copy()
    text.loc[0, "drug"] = "two\nlines"
    path = latin1(text, tmp_path / "people.csv")
    assert "(line 5, row 3) is 0xe9" in error(path)


def test_gzipped_csv_not_utf8_counts_bytes_of_the_text(text, tmp_path):
    plain = latin1(text, tmp_path / "people.csv")
    path = tmp_path / "people.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    offset = plain.read_bytes().index(b"\xe9")
    assert f"byte {offset:,} of the uncompressed text (line 4, row 3)" in error(path)


def test_cli_csv_not_utf8_exits_2_with_the_place(text, tmp_path):
    path = latin1(text, tmp_path / "people.csv")
    assert cli_error("--population", path).startswith(f"{path}: not UTF-8 text: byte ")


# ------------------------------------------------------------------------ 6: BOM, repeated columns
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
@pytest.mark.parametrize("chunk_rows", [None, 4])
def test_bom_before_provenance_lines_is_stripped(people, tmp_path, suffix, chunk_rows):
    path = write_population(people, tmp_path / f"people{suffix}")
    opener = gzip.open if suffix.endswith(".gz") else open
    with opener(path, "rb") as fh:
        body = fh.read()
    assert body.startswith(b"# source:")
    with opener(path, "wb") as fh:
        fh.write(BOM + body)
    parts = list(iter_population(path, chunk_rows=chunk_rows))
    assert np.array_equal(np.concatenate([p.population.id for p in parts]), people.id)
    if chunk_rows is None:
        assert same_arrays(parts[0].population, people)


def test_bom_before_provenance_lines_with_a_mapping(tmp_path):
    path = tmp_path / "caseload.csv"
    path.write_bytes(BOM + b"# exported from the county\n" + CASELOAD.read_bytes())
    back = read_population(path, CASELOAD_MAPPING, on_bad_rows="skip")
    plain = read_population(CASELOAD, CASELOAD_MAPPING, on_bad_rows="skip")
    assert same_arrays(back, plain)
    result = CliRunner().invoke(main, ["run", str(SCENARIO_2014), "--population", str(path),
                                       "--mapping", str(CASELOAD_MAPPING), "--on-bad-rows",
                                       "skip", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("header", ["grams", " grams", "grams "])
@pytest.mark.parametrize("chunk_rows", [None, 2])
def test_repeated_column_name_in_a_csv_is_refused_by_name(text, tmp_path, header, chunk_rows):
    lines = text.to_csv(index=False).splitlines()
    names = lines[0].split(",")
    names[names.index("weapon")] = header  # the second 'grams' would be read as 'grams.1'
    path = tmp_path / "people.csv"
    path.write_text("\n".join([",".join(names), *lines[1:]]) + "\n")
    with pytest.raises(PopulationError) as exc:
        list(iter_population(path, chunk_rows=chunk_rows))
    assert str(exc.value) == (
        f"{path}: column 'grams' appears twice (columns 3 and 4); name each column once"
    )


def test_unnamed_columns_may_repeat(text, tmp_path):
    path = tmp_path / "people.csv"
    lines = text.to_csv(index=False).splitlines()
    path.write_text("\n".join([lines[0] + ",,", *(line + ",," for line in lines[1:])]) + "\n")
    assert len(read_population(path)) == 6


def test_repeated_column_name_in_parquet_is_refused_by_name(people, tmp_path):
    table = pa.Table.from_pandas(to_file_frame(people, dates_as_text=False), preserve_index=False)
    table = table.append_column("grams", pa.array(np.ones(6)))
    path = tmp_path / "people.parquet"
    pq.write_table(table, path)
    last = len(table.column_names)
    msg = f"{path}: column 'grams' appears twice (columns 3 and {last}); name each column once"
    assert error(path) == msg
    assert cli_error("--population", path, "--chunk-rows", "2") == msg


def test_mapping_onto_a_column_the_file_has_is_refused(text, tmp_path):
    text = text.assign(QTY=text["grams"])
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  grams: QTY\n")
    msg = (
        f"{path}: two columns would be grams: the file's grams and QTY, which the mapping "
        "renames to grams; rename or remove one of them"
    )
    assert error(path, mapping=mapping) == msg
    assert cli_error("--population", path, "--mapping", mapping) == msg


def test_mapping_may_swap_columns_and_use_one_column_twice(people, text, tmp_path):
    text = text.rename(columns={"offense_date": "custody_start", "custody_start": "offense_date"})
    text = text.drop(columns=["table_date"]).rename(columns={"sentencing_date": "sentenced"})
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns:\n  offense_date: custody_start\n  custody_start: offense_date\n"
        "  sentencing_date: sentenced\n  table_date: sentenced\n"
    )
    back = read_population(path, mapping=mapping)
    assert np.array_equal(back.offense_date, people.offense_date)
    assert np.array_equal(back.custody_start, people.custody_start)
    assert np.array_equal(back.table_date, people.sentencing_date)


# ------------------------------------------------------------------------ 7: dates in Parquet
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles", "UTC", "+05:30"])
def test_timezone_aware_parquet_dates_are_their_own_calendar_date(people, tmp_path, zone):
    frame = to_file_frame(people, dates_as_text=False)
    for name in ("offense_date", "sentencing_date", "custody_start", "table_date"):
        frame[name] = pd.to_datetime(frame[name]).dt.tz_localize(zone)
    frame["release_date"] = pd.to_datetime(frame["release_date"]) + pd.Timedelta(hours=23)
    frame["release_date"] = frame["release_date"].dt.tz_localize(zone)
    path = tmp_path / "people.parquet"
    frame.to_parquet(path)
    assert same_arrays(read_population(path), people)


def test_naive_timestamps_with_a_time_of_day_are_their_calendar_date(people, tmp_path):
    frame = to_file_frame(people, dates_as_text=False)
    frame["sentencing_date"] = pd.to_datetime(frame["sentencing_date"]) + pd.Timedelta("23:59:59")
    frame["offense_date"] = pd.to_datetime(frame["offense_date"]) + pd.Timedelta(hours=1)
    path = tmp_path / "people.parquet"
    frame.to_parquet(path)
    assert same_arrays(read_population(path), people)
    late = pd.Series(pd.to_datetime(["2014-11-01T23:00", "1960-03-01T23:00"]))
    frame = to_file_frame(people.take(np.arange(2)), dates_as_text=False)
    frame["offense_date"] = late - pd.Timedelta(days=400)
    frame["sentencing_date"] = frame["table_date"] = late
    frame["custody_start"] = late - pd.Timedelta(days=1)
    frame.to_parquet(path)
    back = read_population(path)
    assert back.sentencing_date.tolist() == [day("2014-11-01"), day("1960-03-01")]


# ------------------------------------------------------------------------ 8: tiny quantities
def test_tiny_positive_quantity_is_not_stored_as_zero(text, tmp_path):
    text = text.copy()
    text["grams"] = ["1e-50", "1e-46", "5e-324", "1e-39", "0.001", "2"]
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False)
    pop = read_population(path)
    assert (pop.grams > 0).all()
    # written back and read again: still a valid file (0 would be refused)
    again = read_population(write_population(pop, tmp_path / "again.csv"))
    assert np.array_equal(again.grams, pop.grams)


def test_stored_keeps_sign_and_zero():
    out = stored(np.array([1e-50, -1e-50, 0.0, -0.0, np.nan, 3.0]), "float32")
    tiny = np.finfo(np.float32).tiny
    assert out[:4].tolist() == [tiny, -tiny, 0.0, 0.0] and np.isnan(out[4]) and out[5] == 3
    assert stored(np.array([3, 0]), "int8").tolist() == [3, 0]


def lowest_level(law, drug: int, edition: int) -> int:
    return int(law.dqt_levels[edition, law.table_drug[drug]].min())


@settings(max_examples=60, deadline=None)
@given(
    drug=st.sampled_from(DRUGS),
    grams=st.floats(min_value=0, max_value=1e12, exclude_min=True, allow_subnormal=True),
    sentenced=st.integers(day("1990-01-01"), day("2024-12-31")),
)
def test_any_positive_quantity_scores_at_least_the_tables_lowest_level(drug, grams, sentenced):
    """From a population file or typed on ``simulate screen``: never 'no drug'."""
    law = load_law()
    pop = case_population(law, drug=drug, grams=repr(grams), chp=0,
                          sentenced=str(np.datetime64(sentenced, "D")), term=60)  # fmt: skip
    assert pop.grams[0] > 0
    edition = law.edition_on(pop.drug, pop.sentencing_date)
    level = law.base_offense_level(pop.drug, pop.grams, edition)
    assert level[0] >= lowest_level(law, int(pop.drug[0]), int(edition[0]))


# ------------------------------------------------------------------------ empty and odd files
def test_header_only_and_comment_only_files(text, tmp_path):
    header = tmp_path / "header.csv"
    header.write_text("# source: x\n" + ",".join(text.columns) + "\n")
    assert error(header) == f"{header}: no rows"
    comments = tmp_path / "comments.csv"
    comments.write_text("# source: x\n# seed: 1\n")
    assert error(comments) == (
        f"{comments}: no header row (the file is empty or holds only # lines)"
    )
    assert cli_error("--population", comments, "--chunk-rows", "3").endswith("only # lines)")


def test_a_column_with_every_value_missing(text, tmp_path):
    path = tmp_path / "people.csv"
    text.assign(grams="").to_csv(path, index=False)
    msg = error(path, on_bad_rows="skip")
    assert msg.splitlines()[0].startswith(f"{path}: 6 of 6 rows are invalid")
    assert msg.splitlines()[1] == f"{path}: row 1: grams: missing"
    assert msg.endswith("no valid rows")


def test_gigantic_and_negative_numbers_are_rejected_rows(text, tmp_path):
    text = text.copy()
    text.loc[0, "id"] = "9" * 30
    text.loc[1, "id"] = "-3"
    text.loc[2, "chp"] = "1e400"
    text.loc[3, "term"] = "9" * 400
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False)
    reasons = read_population(path, on_bad_rows="skip").meta["rejected"]["reason"].tolist()
    assert reasons == [
        f"id: must be at most 2147483647 (got {'9' * 30})",
        "id: must be at least 0 (got -3)",
        "chp: not a finite number (got 1e400)",
        f"term: not a finite number (got {'9' * 400})",
    ]


def test_parquet_durations_and_uint64_are_not_read_as_numbers(people, tmp_path):
    frame = to_file_frame(people, dates_as_text=False)
    frame["term"] = pd.to_timedelta(people.term, unit="D")  # nanoseconds are not months
    frame["id"] = np.arange(6, dtype=np.uint64) + np.uint64(2**63)
    path = tmp_path / "people.parquet"
    frame.to_parquet(path)
    lines = error(path).splitlines()
    assert lines[1] == (
        f"{path}: row 1: id: must be at most 2147483647 (got {2**63}); "
        f"term: not a number (got {people.term[0]} days)"
    )


def test_control_characters_in_a_quoted_value_are_escaped(text, tmp_path):
    text = text.copy()
    text.loc[1, "drug"] = "her\roin"
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False, lineterminator="\r\n")  # quotes the cell with \r
    pop = read_population(path, on_bad_rows="skip")
    assert pop.meta["rows_read"] == 6
    assert pop.meta["rejected"]["reason"][0].endswith("(got her\\roin)")
    assert pop.meta["rejected"]["drug"][0] == "her\roin"  # the row as it is in the file


def test_cells_separated_by_semicolons_get_a_hint(text, tmp_path):
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False, sep=";")
    assert error(path).endswith(
        "(the header is one column: are the cells separated by something other than commas?)"
    )


def test_a_chunked_read_that_fails_closes_the_file(text, tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    text.to_csv(path, index=False, sep=";")  # the first chunk fails: columns missing
    unclosed: list = []
    monkeypatch.setattr(sys, "unraisablehook", unclosed.append)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with pytest.raises(PopulationError, match="missing required column"):
            list(iter_population(path, chunk_rows=2))
        gc.collect()
    assert not unclosed, unclosed[0].exc_value
