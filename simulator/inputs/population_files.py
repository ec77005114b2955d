"""Population files: read people from CSV or Parquet, check every row, write them back.

A population file has one row per person and the columns of
:data:`simulator.model.population.SCHEMA` as a file holds them: drugs and races by name, yes/no
columns as ``true``/``false``, dates as ``YYYY-MM-DD``. A mapping file
(:mod:`simulator.inputs.mapping`) renames the user's columns and codes onto ours. Every row is
checked with vectorized masks (:mod:`simulator.inputs.rows`); ``on_bad_rows="skip"`` keeps the
good rows and returns the rejected ones with their reasons in ``population.meta["rejected"]``;
``"fail"`` raises :class:`~simulator.errors.PopulationError`.

Examples
--------
>>> import tempfile, simulator as sim
>>> spec = sim.load_scenario("scenarios/2014_guidelines.yaml").population
>>> pop = sim.synthesize(spec, seed=3, size=0.02)
>>> with tempfile.TemporaryDirectory() as d:
...     _ = write_population(pop, Path(d) / "people.csv")
...     back = read_population(Path(d) / "people.csv")
>>> all(np.array_equal(a, b) for a, b in zip(pop.arrays().values(), back.arrays().values()))
True
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

import numpy as np

from simulator import lazy
from simulator.errors import PopulationError
from simulator.files import atomic_write, refuse_existing
from simulator.inputs.mapping import Codebook, Mapping, load_mapping
from simulator.inputs.rows import MAX_LISTED, Chunk, parse_frame, rejected_rows, report
from simulator.model.population import SCHEMA, Population
from simulator.version import __version__

pd = lazy.module("pandas")
pa = lazy.module("pyarrow")
pq = lazy.module("pyarrow.parquet")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _raw_chunks(path: Path, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    if not path.exists():
        raise PopulationError(f"{path}: no such file")
    try:
        if _is_parquet(path):
            schema = pq.read_schema(path)
            _refuse_repeated(schema.names, path)
            # without pre-buffering, memory stays flat however many batches are read; the code
            # columns come as dictionaries: a handful of names, which pandas reads as categories
            # (checked by category, simulator.inputs.cells.code_index, never as Python strings)
            pf = pq.ParquetFile(path, pre_buffer=False, read_dictionary=_text_codes(schema))
            if chunk_rows is None:
                yield _frame(pf.read())
                return
            yield from map(_frame, _tables(pf, chunk_rows))
            return
        if path.suffix.lower() not in (".csv", ".gz", ".txt"):
            raise PopulationError(f"{path}: expected a .csv, .csv.gz or .parquet file")
        text = dict(
            dtype=str, keep_default_na=False, skipinitialspace=True, skiprows=_comment_lines(path)
        )
        _refuse_repeated(pd.read_csv(path, header=None, nrows=1, **text).iloc[0].tolist(), path)
        if chunk_rows is None:
            yield _named(pd.read_csv(path, **text))
        else:
            with pd.read_csv(path, chunksize=chunk_rows, **text) as reader:  # closed if stopped
                yield from map(_named, reader)
    except PopulationError:
        raise
    except UnicodeDecodeError as exc:
        raise PopulationError(_not_utf8(path) or f"{path}: cannot read: {exc}") from None
    except pd.errors.EmptyDataError:
        raise PopulationError(
            f"{path}: no header row (the file is empty or holds only # lines)"
        ) from None
    except (OSError, ValueError) as exc:
        raise PopulationError(f"{path}: cannot read: {exc}") from None
    except Exception as exc:  # pyarrow and the csv parser raise their own error types
        raise PopulationError(f"{path}: cannot read: {type(exc).__name__}: {exc}") from None


def _text_codes(schema: pa.Schema) -> list[str]:
    """The columns of a Parquet file that hold codes as text (drug, race)."""
    codes = {n for n, c in SCHEMA.items() if c.kind == "code"}
    text = (pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in schema)
    return [f.name for f, is_text in zip(schema, text, strict=True) if is_text and f.name in codes]


def _tables(pf: pq.ParquetFile, rows: int) -> Iterator[pa.Table]:
    """The file's rows, ``rows`` at a time (the last piece shorter).

    Batches of dictionary columns end where the file's row groups end; they are put together
    (and cut) here, so the chunks are those of a file without such columns.
    """
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in pf.iter_batches(batch_size=rows):
        pending.append(batch)
        held += len(batch)
        while held >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, held = rest.to_batches(), len(rest)
    if held:
        yield pa.Table.from_batches(pending)


def _frame(table: pa.Table) -> pd.DataFrame:
    """A table read from Parquet as a frame: one set of categories per code column.

    Integers with nulls become objects, not floats: a batch without nulls would keep them as
    integers, and a rejected row would show 5 read in chunks, 5.0 read whole.
    """
    table = table.unify_dictionaries()
    return _named(table.to_pandas(date_as_object=False, integer_object_nulls=True))


def _open_bytes(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def _comment_lines(path: Path) -> int:
    """Lines starting with ``#`` at the top of a CSV (provenance), which are skipped.

    A byte-order mark before the first line (as some spreadsheets write) is not part of it.
    """
    with _open_bytes(path) as raw, io.TextIOWrapper(raw, "utf-8-sig", errors="replace") as fh:
        return sum(1 for _ in itertools.takewhile(lambda line: line.startswith("#"), fh))


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its column names as text without surrounding spaces."""
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _refuse_repeated(names: list, path: Path) -> None:
    """A column named twice is an error: which of the two would be read is anyone's guess.

    (A CSV reader would quietly rename the second ``grams`` to ``grams.1``.) Names are compared
    without surrounding spaces; unnamed columns are never read and may repeat.
    """
    first: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        name = str(name).strip()
        if not name:
            continue
        if name in first:
            raise PopulationError(
                f"{path}: column {name!r} appears twice (columns {first[name]} and {i}); "
                "name each column once"
            )
        first[name] = i


def _not_utf8(path: Path) -> str | None:
    """Where a CSV stops being UTF-8: byte offset, line and row (None if it is UTF-8)."""
    skip = _comment_lines(path)
    where: list[tuple[int, int, int]] = []  # (byte offset, line, bad byte)

    def lines(fh: IO[bytes]) -> Iterator[str]:
        offset = 0
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                where.append((offset + exc.start, number, raw[exc.start]))
                if number > skip:
                    yield raw[: exc.start].decode("utf-8")
                return
            offset += len(raw)
            if number > skip:
                yield text

    with _open_bytes(path) as fh:
        try:  # records, not lines: a quoted cell may hold a line break
            records = sum(1 for _ in csv.reader(lines(fh)))
        except csv.Error:  # e.g. a cell over the csv module's size limit: no row number
            records = 0
    if not where:
        return None
    offset, line, byte = where[0]
    if line <= skip:
        place = f"line {line}, a # line"
    elif records == 1:
        place = f"line {line}, the header"
    else:
        place = f"line {line}, row {records - 1}" if records else f"line {line}"
    text = " of the uncompressed text" if path.suffix.lower() == ".gz" else ""
    return (
        f"{path}: not UTF-8 text: byte {offset:,}{text} ({place}) is 0x{byte:02x}; "
        "save the file as UTF-8 (CSV UTF-8)"
    )


def provenance(pop: Population) -> dict[str, str]:
    """Where a population came from, as written into a file: source, seed, size, version."""
    keys = ("source", "seed", "size", "snapshot", "parameters")
    out = {k: str(pop.meta[k]) for k in keys if pop.meta.get(k) is not None}
    if "parameters" in out:  # the file's name: a path would name the machine it was made on
        out["parameters"] = Path(out["parameters"]).name
    return {**out, "people": str(len(pop)), "version": __version__}


def iter_population(
    path: str | Path,
    mapping: str | Path | Mapping | None = None,
    on_bad_rows: Literal["fail", "skip"] = "fail",
    *,
    seed: int = 0,
    chunk_rows: int | None = None,
) -> Iterator[Chunk]:
    """Read a population file in chunks of ``chunk_rows`` rows (all at once if None).

    Each chunk is checked as :func:`read_population` checks the whole file; ids (given or
    derived from the row number), rejected rows and derived columns do not depend on the
    chunking (see :func:`~simulator.inputs.rows.parse_frame` for repeated ids). With
    ``on_bad_rows="fail"`` no chunk is yielded after the first bad row, and the error, raised
    once the whole file is read, is the one a whole read gives; with ``"skip"``, a file
    without a valid row raises the same error as a whole read once its chunks are read.
    """
    path = Path(path)
    if on_bad_rows not in ("fail", "skip"):
        raise PopulationError(f"on_bad_rows must be 'fail' or 'skip', not {on_bad_rows!r}")
    if mapping is not None and not isinstance(mapping, Mapping | Codebook):
        mapping = load_mapping(mapping)
    if isinstance(mapping, Codebook):
        raise PopulationError(
            f"{path}: the mapping is a datafile codebook (format: {mapping.format}): read the "
            "file with simulator.read_ussc"
        )
    offset, valid, bad = 0, 0, 0
    first: list[pd.DataFrame] = []  # the first rejected rows, for the message
    seen = np.zeros(0, dtype=np.int32)
    for frame in _raw_chunks(path, chunk_rows):
        chunk = parse_frame(
            frame, source=path, offset=offset, seed=seed, seen_ids=seen, mapping=mapping
        )
        offset += chunk.rows_read
        valid += len(chunk.population)
        if len(chunk.rejected):
            if bad < MAX_LISTED:
                first.append(chunk.rejected.head(MAX_LISTED - bad))
            bad += len(chunk.rejected)
        if chunk_rows is not None:
            ids = np.sort(chunk.population.id)
            later = not len(seen) or not len(ids) or ids[0] > seen[-1]  # a file in id order
            seen = np.concatenate([seen, ids])
            if not later:  # two sorted runs: the stable sort merges them in linear time
                seen.sort(kind="stable")  # in place: 8 bytes a person at the peak
        if on_bad_rows == "skip" or not bad:
            yield chunk
        # failing, the rest is still read: the message counts the bad rows of the whole file
    if offset == 0:
        raise PopulationError(f"{path}: no rows")
    if bad and (on_bad_rows == "fail" or not valid):
        message = report(rejected_rows(first), path, offset, count=bad)
        raise PopulationError(message + ("" if on_bad_rows == "fail" else "\nno valid rows"))


def read_population(
    path: str | Path,
    mapping: str | Path | None = None,
    on_bad_rows: Literal["fail", "skip"] = "fail",
    *,
    seed: int = 0,
) -> Population:
    """Read people from a CSV or Parquet file in the population schema.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (or ``.csv.gz``) or ``.parquet`` file, one row per person.
    mapping : str or Path, optional
        Column-mapping YAML file (see :func:`load_mapping`).
    on_bad_rows : {"fail", "skip"}
        ``fail`` raises :class:`PopulationError` listing the bad rows; ``skip`` keeps the
        others and puts the rejected rows, with their reasons, in ``meta["rejected"]``.
    seed : int
        Seed of the per-person grant draws when the file has no ``u_grant`` column.

    Returns
    -------
    Population
        With ``meta`` holding ``source``, ``rows_read`` and ``rejected`` (a DataFrame).

    Raises
    ------
    PopulationError
        For a file that cannot be read, a missing column, or (``fail``) any bad row.

    Examples
    --------
    >>> people = read_population("examples/caseload.csv", "examples/caseload_mapping.yaml",
    ...                          on_bad_rows="skip")
    >>> len(people), people.meta["rejected"]["row"].tolist()
    (38, [7, 22])
    >>> print(people.meta["rejected"]["reason"][0])
    grams (qty_kg): not a number (got unknown)
    """
    (chunk,) = iter_population(path, mapping, on_bad_rows, seed=seed)  # read whole: one chunk
    pop = chunk.population
    pop.meta.update(rows_read=chunk.rows_read, rejected=rejected_rows([chunk.rejected]))
    return pop


# ------------------------------------------------------------------------ writing
def to_file_frame(pop: Population, *, dates_as_text: bool) -> pd.DataFrame:
    """The population as a file holds it: names for codes, dates as dates, floats exact."""
    df = {}
    for name, col in SCHEMA.items():
        values = getattr(pop, name)
        if col.kind == "code":
            df[name] = np.asarray(col.codes, dtype=object)[values]
        elif col.kind == "date":
            d = values.astype("datetime64[D]")
            df[name] = np.datetime_as_string(d, unit="D") if dates_as_text else d
        elif col.kind == "float" and dates_as_text:
            df[name] = values.astype(np.float64)  # float32 printed through float64: exact
        else:
            df[name] = values
    return pd.DataFrame(df)


def write_population(pop: Population, path: str | Path, *, force: bool = False) -> Path:
    """Write a population as CSV (``.csv``, ``.csv.gz``) or Parquet, atomically.

    Reading the file back with :func:`read_population` gives the same arrays. The file records
    where the people came from (:func:`provenance`: ``#`` lines at the top of a CSV, which the
    reader skips; key-value metadata in Parquet). Raises ``FileExistsError`` if the file exists
    and ``force`` is false.
    """
    path = Path(path)
    refuse_existing([path], force)
    if _is_parquet(path):
        frame = to_file_frame(pop, dates_as_text=False)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.cast(pa.schema([
            pa.field(n, pa.date32() if c.kind == "date" else table.schema.field(n).type)
            for n, c in SCHEMA.items()
        ]))  # fmt: skip

        table = table.replace_schema_metadata(
            {f"simulator.{k}": v for k, v in provenance(pop).items()}
        )

        def write(fh: IO[bytes]) -> None:
            pq.write_table(table, fh, row_group_size=1_000_000)

    else:
        frame = to_file_frame(pop, dates_as_text=True)
        gz = path.suffix.lower() == ".gz"
        head = "".join(f"# {k}: {v}\n" for k, v in provenance(pop).items())

        def write(fh: IO[bytes]) -> None:
            text = (head + frame.to_csv(index=False)).encode()
            if gz:
                with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as z:
                    z.write(text)
            else:
                fh.write(text)

    atomic_write(path, write)
    return path


__all__ = [
    "Chunk",
    "PopulationError",
    "iter_population",
    "load_mapping",
    "read_population",
    "write_population",
]
