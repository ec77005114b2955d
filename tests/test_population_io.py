"""Population files: exact round trips, every row check with its message, mappings, derivations."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from strategies import populations

import simulator as sim
from simulator.calendar import day
from simulator.errors import PopulationError
from simulator.inputs.mapping import load_mapping
from simulator.inputs.population_files import (
    iter_population,
    read_population,
    to_file_frame,
    write_population,
)
from simulator.inputs.rows import place_term
from simulator.law import DRUGS, load_law
from simulator.model.population import SCHEMA
from simulator.model.sentencing import guideline, impose
from simulator.numeric import person_uniform

SUFFIXES = (".csv", ".parquet", ".csv.gz")


def same(a: sim.Population, b: sim.Population) -> bool:
    return all(
        x.dtype == y.dtype and np.array_equal(x, y)
        for x, y in zip(a.arrays().values(), b.arrays().values(), strict=True)
    )


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_synthetic_population_round_trips_exactly(small_population, tmp_path, suffix):
    path = write_population(small_population, tmp_path / f"people{suffix}")
    back = read_population(path)
    assert same(small_population, back)
    assert back.meta["rows_read"] == len(small_population)
    assert len(back.meta["rejected"]) == 0


def test_files_record_where_the_people_came_from(small_population, tmp_path):
    import pyarrow.parquet as pq

    csv = write_population(small_population, tmp_path / "p.csv")
    head = csv.read_text().splitlines()[:8]
    assert head[:3] == ["# source: synthetic", "# seed: 11", "# size: 0.05"]
    assert head[4] == "# parameters: population_2014.yaml"
    assert head[-1].startswith("id,drug,grams,")
    meta = pq.read_schema(write_population(small_population, tmp_path / "p.parquet")).metadata
    assert (
        meta[b"simulator.seed"] == b"11" and meta[b"simulator.version"] == sim.__version__.encode()
    )


@settings(max_examples=15)
@given(pop=populations(max_size=12))
def test_any_population_round_trips_exactly(pop):
    with tempfile.TemporaryDirectory() as d:
        for suffix in (".csv", ".parquet"):
            assert same(pop, read_population(write_population(pop, Path(d) / f"p{suffix}")))


def test_write_refuses_to_overwrite(small_population, tmp_path):
    path = write_population(small_population.take(np.arange(5)), tmp_path / "p.csv")
    with pytest.raises(FileExistsError, match="use --force"):
        write_population(small_population, path)
    write_population(small_population.take(np.arange(3)), path, force=True)
    assert len(read_population(path)) == 3


# ------------------------------------------------------------------------ row checks
@pytest.fixture
def frame(small_population) -> pd.DataFrame:
    """Six people as a file holds them (text cells, as a CSV is read)."""
    return to_file_frame(small_population.take(np.arange(6)), dates_as_text=True).astype(str)


def write_csv(frame: pd.DataFrame, tmp_path: Path, name: str = "people.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def only_error(path: Path, **kw) -> str:
    with pytest.raises(PopulationError) as exc:
        read_population(path, **kw)
    return str(exc.value)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("grams", "-3", "grams: must be above 0 (got -3)"),
        ("grams", "abc", "grams: not a number (got abc)"),
        ("grams", "inf", "grams: not a finite number (got inf)"),
        ("grams", "1e13", "grams: must be at most 1e+12 (got 1e13)"),
        ("grams", "", "grams: missing"),
        ("grams", "nan", "grams: missing"),
        ("chp", "2.5", "chp: not a whole number (got 2.5)"),
        ("chp", "-1", "chp: must be at least 0 (got -1)"),
        ("role", "7", "role: must be at most 4 (got 7)"),
        ("mm_charged", "7", "mm_charged: must be one of 0, 5, 10 (got 7)"),
        ("term", "0", "term: must be at least 1 (got 0)"),
        ("term", "99999", "term: must be at most 470 (got 99999)"),
        ("drug", "crack", f"drug: unknown code; allowed: {', '.join(DRUGS)} (got crack)"),
        ("race", "martian", "race: unknown code; allowed: white, black, hispanic, other "
         "(got martian)"),
        ("weapon", "maybe", "weapon: expected true or false (got maybe)"),
        ("sentencing_date", "2014-13-01",
         "sentencing_date: expected a date YYYY-MM-DD (got 2014-13-01)"),
        ("sentencing_date", "1900-01-01",
         "sentencing_date: outside 1950-01-01..2100-12-31 (got 1900-01-01)"),
        ("offense_date", "2099-01-01", "offense_date: after sentencing_date"),
        ("release_date", "1960-01-01", "release_date: not after custody_start"),
        ("table_date", "1960-01-01", "table_date: before sentencing_date"),
        ("status_points", "2", "status_points: more than chp"),
        ("u_grant", "1.5", "u_grant: must be at most 1 (got 1.5)"),
    ],
)  # fmt: skip
def test_each_bad_value_is_reported_with_row_and_reason(frame, tmp_path, column, value, reason):
    if column == "status_points":
        frame.loc[2, "chp"] = "1"
    frame.loc[2, column] = value
    path = write_csv(frame, tmp_path)
    msg = only_error(path)
    assert msg.splitlines()[1] == f"{path}: row 3: {reason}"
    assert msg.splitlines()[0].startswith(f"{path}: 1 of 6 rows are invalid")


def test_every_reason_of_a_row_is_listed(frame, tmp_path):
    frame.loc[0, ["grams", "weapon"]] = ["-1", "x"]
    frame.loc[4, "chp"] = ""
    path = write_csv(frame, tmp_path)
    lines = only_error(path).splitlines()
    assert lines[1:] == [
        f"{path}: row 1: grams: must be above 0 (got -1); weapon: expected true or false (got x)",
        f"{path}: row 5: chp: missing",
    ]


def test_repeated_id_is_rejected_after_the_first(frame, tmp_path):
    frame.loc[4, "id"] = frame.loc[1, "id"]
    msg = only_error(write_csv(frame, tmp_path))
    assert msg.splitlines()[1].endswith("row 5: id: repeats an earlier row's id (got 1)")


def test_missing_required_column_is_a_file_error(frame, tmp_path):
    path = write_csv(frame.drop(columns=["grams", "weapon"]), tmp_path)
    assert only_error(path) == (
        f"{path}: missing required column(s): grams, weapon (a mapping file can name your "
        "columns; see the population schema)"
    )


def test_term_or_position_and_departure_needed(frame, tmp_path):
    path = write_csv(frame.drop(columns=["term", "position"]), tmp_path)
    assert only_error(path) == (
        f"{path}: give a term column, or position and departure to sentence from"
    )


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("people.txt", "", "no header row (the file is empty or holds only # lines)"),
        ("people.csv", "", "no header row"),
        ("people.csv", "# source: x\n# seed: 1\n", "no header row"),
        ("people.json", "{}", "expected a .csv, .csv.gz or .parquet file"),
        ("people.parquet", "not parquet", "cannot read"),
    ],
)
def test_unreadable_files(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_text(content)
    msg = only_error(path)
    assert msg.startswith(str(path)) and fragment in msg


def test_no_such_file(tmp_path):
    assert only_error(tmp_path / "x.csv") == f"{tmp_path / 'x.csv'}: no such file"


def test_skip_keeps_good_rows_and_returns_rejected_with_reasons(frame, tmp_path):
    frame.loc[1, "grams"] = "-2"
    frame.loc[3, "drug"] = "tea"
    pop = read_population(write_csv(frame, tmp_path), on_bad_rows="skip")
    rejected = pop.meta["rejected"]
    assert len(pop) + len(rejected) == pop.meta["rows_read"] == 6
    assert rejected["row"].tolist() == [2, 4]
    assert rejected["reason"].tolist()[0] == "grams: must be above 0 (got -2)"
    assert rejected["grams"].tolist()[0] == "-2"  # the row as it was in the file
    assert sorted(pop.id.tolist()) == sorted(set(range(6)) - {1, 3})


def test_all_rows_bad_in_skip_mode_is_an_error(frame, tmp_path):
    frame["grams"] = "-1"
    msg = only_error(write_csv(frame, tmp_path), on_bad_rows="skip")
    assert msg.endswith("no valid rows")


def test_bad_on_bad_rows_value(frame, tmp_path):
    with pytest.raises(PopulationError, match="on_bad_rows must be 'fail' or 'skip'"):
        read_population(write_csv(frame, tmp_path), on_bad_rows="ignore")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ mapping files
THEIR_NAMES = {"drug": "DRUGTYP", "grams": "QTY_KG", "weapon": "GUN", "race": "NEWRACE"}
MAPPING = """\
columns:
  drug: DRUGTYP
  grams: QTY_KG
  weapon: GUN
  race: NEWRACE
codes:
  drug: {1: heroin, 2: cocaine, 3: cocaine_base, 4: methamphetamine, 5: methamphetamine_actual,
         6: marijuana, 7: oxycodone, 8: fentanyl}
  race: {1: white, 2: black, 3: hispanic, 9: other}
  weapon: {Y: true, N: false}
scale:
  grams: 1000
defaults:
  zp_excluded: false
"""


def their_file(pop: sim.Population, tmp_path: Path) -> Path:
    df = to_file_frame(pop, dates_as_text=True)
    df["drug"] = pop.drug.astype(int) + 1
    df["race"] = np.array([1, 2, 3, 9])[pop.race]
    df["weapon"] = np.where(pop.weapon, "Y", "N")
    df["grams"] = pop.grams.astype(np.float64) / 1000
    df = df.drop(columns=["zp_excluded"]).rename(columns=THEIR_NAMES)
    return write_csv(df, tmp_path, "theirs.csv")


def test_mapping_renames_columns_and_codes_and_scales(small_population, tmp_path):
    pop = small_population.take(np.arange(40))
    (tmp_path / "map.yaml").write_text(MAPPING)
    back = read_population(their_file(pop, tmp_path), mapping=tmp_path / "map.yaml")
    for name in ("drug", "race", "weapon", "term", "id", "u_grant"):
        assert np.array_equal(getattr(back, name), getattr(pop, name)), name
    np.testing.assert_allclose(back.grams, pop.grams, rtol=1e-6)
    assert not back.zp_excluded.any()


def test_unmapped_code_is_reported(small_population, tmp_path):
    path = their_file(small_population.take(np.arange(4)), tmp_path)
    df = pd.read_csv(path, dtype=str)
    df.loc[0, "NEWRACE"] = "7"
    df.to_csv(path, index=False)
    (tmp_path / "map.yaml").write_text(MAPPING)
    msg = only_error(path, mapping=tmp_path / "map.yaml")
    assert msg.splitlines()[1] == (
        f"{path}: row 1: race (NEWRACE): unknown code; allowed: white, black, hispanic, other "
        "(got 7)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("columns:\n  gramz: QTY\n", "2:3: columns.gramz: unknown column 'gramz'; see the "
         "population schema"),
        ("colums:\n  grams: QTY\n", "1:1: colums: unknown key"),
        ("scale:\n  grams: lots\n", "2:3: scale.grams: Input should be a valid number, unable "
         "to parse string as a number"),
        ("- a list\n", "1:1: (top): a mapping file must be a mapping of keys"),
        ("columns: [unclosed\n", "2:1: (yaml): "),
    ],
)  # fmt: skip
def test_mapping_file_errors_name_line_and_key(tmp_path, text, expected):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(PopulationError) as exc:
        load_mapping(path)
    assert str(exc.value).startswith(f"{path}:{expected}"), str(exc.value)


def test_mapping_naming_an_absent_column(frame, tmp_path):
    (tmp_path / "map.yaml").write_text("columns:\n  grams: QTY\n")
    path = write_csv(frame, tmp_path)
    assert only_error(path, mapping=tmp_path / "map.yaml") == (
        f"{path}: the mapping names column(s) not in the file: QTY"
    )


# ------------------------------------------------------------------------ derived columns
DERIVABLE = ["id", "u_grant", "table_date", "release_date", "position", "departure",
             "status_points", "zp_excluded"]  # fmt: skip


def test_derivable_columns_may_be_left_out(small_population, tmp_path):
    pop = small_population.take(np.arange(300))
    df = to_file_frame(pop, dates_as_text=True).drop(columns=DERIVABLE)
    back = read_population(write_csv(df, tmp_path), seed=5)
    assert np.array_equal(back.id, np.arange(300))
    assert np.array_equal(back.table_date, pop.sentencing_date)
    assert np.array_equal(back.u_grant, person_uniform(np.arange(300), 5, "u_grant").astype("f4"))
    law = load_law()
    # the release follows from the term and the file's early-release flags (no deaths in a file)
    assert np.array_equal(back.release_date, pop.release_for(law, pop.term))
    # the derived position and departure give the term back when imposed (unless a floor binds)
    g = guideline(law, back.cases(), edition=law.edition_on(back.drug, back.table_date),
                  statute_day=back.sentencing_date)  # fmt: skip
    # (the position is the drug term's; the consecutive §924(c) months are added back)
    again = impose(law, g, back.position, back.departure, np.ones(300, dtype=bool),
                   back.firearm_924c_months)  # fmt: skip
    assert (np.abs(again - pop.term) <= 1).mean() > 0.99


def test_term_is_sentenced_when_only_position_and_departure_are_given(small_population, tmp_path):
    pop = small_population
    df = to_file_frame(pop, dates_as_text=True).drop(columns=["term", "release_date"])
    back = read_population(write_csv(df, tmp_path))
    # people sentenced on their own table's date, outside the 2014 anticipatory variances and
    # never reduced since, were sentenced by the same function
    law = load_law()
    plain = (pop.table_date == pop.sentencing_date) & (pop.sentencing_date < day("2014-03-13")) & (
        pop.release_date == pop.release_for(law, pop.term)
    )  # fmt: skip
    assert plain.sum() > 1000
    assert np.array_equal(back.term[plain], pop.term[plain])


def test_place_term_inverts_impose():
    lo, hi = np.array([57, 120, 0, 360]), np.array([71, 150, 6, 470])
    term = np.array([60, 100, 3, 470])
    pos, dep = place_term(term, lo, hi)
    law = load_law()
    from simulator.model.sentencing import Guideline

    z = np.zeros(4, dtype=np.int16)
    g = Guideline(z, z, lo, hi, z, np.full(4, 470), z, lo, hi)
    assert impose(law, g, pos, dep, np.ones(4, dtype=bool)).tolist() == [60, 100, 3, 470]


def test_chunked_reading_gives_the_same_people(small_population, tmp_path):
    df = to_file_frame(small_population, dates_as_text=True).drop(columns=["id", "u_grant"])
    path = write_csv(df, tmp_path)
    whole = read_population(path, seed=2)
    parts = list(iter_population(path, seed=2, chunk_rows=777))
    assert len(parts) > 3
    ids = np.concatenate([p.population.id for p in parts])
    grants = np.concatenate([p.population.u_grant for p in parts])
    assert np.array_equal(ids, whole.id) and np.array_equal(grants, whole.u_grant)


def test_repeated_id_across_chunks_is_rejected(frame, tmp_path):
    frame.loc[5, "id"] = frame.loc[0, "id"]
    path = write_csv(frame, tmp_path)
    parts = list(iter_population(path, on_bad_rows="skip", chunk_rows=2))
    rejected = pd.concat([p.rejected for p in parts])
    assert rejected["row"].tolist() == [6]
    assert sum(len(p.population) for p in parts) == 5


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("drug", [1, 2], "column drug: cannot read its values (TypeError: unhashable"),
        ("grams", [1.0], "row 1: grams: not a number (got [1.])"),
        ("weapon", {"a": 1}, "row 1: weapon: expected true or false"),
        ("sentencing_date", 3.5, "row 1: sentencing_date: expected a date YYYY-MM-DD (got 3.5)"),
    ],
)
def test_parquet_columns_of_other_types_are_errors(small_population, tmp_path, column, value,
                                                   fragment):  # fmt: skip
    df = to_file_frame(small_population.take(np.arange(4)), dates_as_text=False)
    df[column] = [value] * 4
    path = tmp_path / "odd.parquet"
    df.to_parquet(path)
    assert fragment in only_error(path)


@pytest.mark.parametrize("chunk_rows", [None, 2])
def test_parquet_codes_read_as_categories_are_checked_as_a_csv_is(
    small_population, tmp_path, chunk_rows
):
    """Text codes of a Parquet file are read as categories: the same people, the same reasons."""
    df = to_file_frame(small_population.take(np.arange(6)), dates_as_text=False)
    df["drug"] = df["drug"].astype(object)
    df.loc[1, "drug"], df.loc[3, "drug"], df.loc[4, "race"] = "crack", None, "NA"
    parquet, csv = tmp_path / "p.parquet", tmp_path / "p.csv"
    df.to_csv(csv, index=False)
    df.loc[5, "race"] = " white"  # Parquet cells are taken as they are (a CSV's are stripped)
    df.to_parquet(parquet)

    def read(path):
        chunks = list(iter_population(path, on_bad_rows="skip", chunk_rows=chunk_rows))
        people = [c.population.arrays() for c in chunks]
        rejected = pd.concat([c.rejected for c in chunks], ignore_index=True)
        return {k: np.concatenate([p[k] for p in people]) for k in SCHEMA}, rejected

    (ours, bad), (theirs, bad_csv) = read(parquet), read(csv)
    assert bad["row"].tolist() == [2, 4, 5, 6] and bad_csv["row"].tolist() == [2, 4, 5]
    assert bad["reason"].tolist()[:3] == bad_csv["reason"].tolist()
    assert bad["reason"][3].startswith("race: unknown code") and "(got  white)" in bad["reason"][3]
    assert "drug: unknown code; allowed: " in bad["reason"][0] and "(got crack)" in bad["reason"][0]
    assert bad["reason"][1] == "drug: missing" and bad["reason"][2] == "race: missing"
    assert all(np.array_equal(ours[k], theirs[k][:2]) for k in SCHEMA)  # rows 1 and 3 in both


def test_parquet_chunks_hold_the_rows_asked_for_whatever_the_row_groups(small_population, tmp_path):
    """Code columns come as dictionaries, whose batches end with the file's row groups: the
    chunks are still cut at ``chunk_rows`` (so memory is bounded by it), codes intact."""
    import pyarrow as pa  # as the test above: pyarrow only where a file is written by hand
    import pyarrow.parquet as pq

    people = small_population.take(np.arange(10))
    df = to_file_frame(people, dates_as_text=False)
    path = tmp_path / "groups.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=3)
    chunks = list(iter_population(path, chunk_rows=4))
    assert [c.rows_read for c in chunks] == [4, 4, 2]
    drug = np.concatenate([c.population.drug for c in chunks])
    assert np.array_equal(drug, people.drug)


def test_written_csv_cells_never_need_quotes(small_population, tmp_path):
    """Only names, numbers and dates: no cell holds a comma, quote or line break, \\r included."""
    text = write_population(small_population, tmp_path / "p.csv").read_bytes()
    assert not any(ch in text for ch in (b'"', b"\r"))
    lines = text.decode().split("\n")
    header = next(line for line in lines if line and not line.startswith("#"))
    assert {line.count(",") for line in lines if line and not line.startswith("#")} == {
        header.count(",")
    }
    assert header.count(",") == len(SCHEMA) - 1
