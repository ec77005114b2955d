"""Population files: read people from CSV or Parquet, check every row, write them back.

A population file has one row per person and the columns of :data:`COLUMNS` (the schema of
:data:`simulator.population.SCHEMA`, as a file holds it: drugs and races by name, yes/no
columns as ``true``/``false``, dates as ``YYYY-MM-DD``). A mapping file (YAML) renames the
user's columns and codes onto ours. Every row is checked with vectorized masks; a bad row is
reported with its number (row 1 is the first data row, line 2 of a CSV) and every reason.
``on_bad_rows="skip"`` keeps the good rows and returns the rejected ones with their reasons in
``population.meta["rejected"]``; ``"fail"`` raises :class:`PopulationError`.

Columns a user rarely has are derived the way the synthesizer derives them: ``term`` and
``release_date`` by :func:`simulator.synthesis.sentence` (or good-conduct time from the term),
``position``/``departure`` by placing the term in the guideline range, ``u_grant`` as a
per-person uniform of the id (:func:`simulator.clemency.person_uniform`, so any chunking gives
the same draws).

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

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import numpy as np

from simulator.calendar import day
from simulator.law import DRUGS
from simulator.population import OPTIONAL_COLUMNS, RACES, SCHEMA, Population

if TYPE_CHECKING:
    import pandas as pd


class PopulationError(ValueError):
    """A population or mapping file is invalid; the message names the file, rows and reasons."""


@dataclass(frozen=True)
class Column:
    """How a population column looks in a file and what values it may take."""

    kind: Literal["int", "float", "bool", "date", "code"]
    unit: str
    lo: float | None = None
    hi: float | None = None
    codes: tuple[str, ...] | None = None
    allowed: tuple[int, ...] | None = None
    derived: str | None = None  # how it is derived when the file lacks it (None: required)


FIRST_DAY, LAST_DAY = day("1950-01-01"), day("2100-12-31")
_DATE = Column("date", "YYYY-MM-DD", FIRST_DAY, LAST_DAY)
_BOOL = Column("bool", "true/false")

#: The columns of a population file: kind, unit, allowed values, and how a missing one is derived.
COLUMNS: dict[str, Column] = {
    "id": Column("int", "number", 0, 2**31 - 1, derived="the row number, from 0"),
    "drug": Column("code", "name", codes=DRUGS),
    "grams": Column("float", "grams", 0, 1e12),
    "weapon": _BOOL,
    "role": Column("int", "levels", -4, 4),
    "obstruction": _BOOL,
    "acceptance": _BOOL,
    "safety_valve": _BOOL,
    "sub_assist": _BOOL,
    "career": _BOOL,
    "chp": Column("int", "points", 0, 99),
    "mm_charged": Column("int", "years", allowed=(0, 5, 10)),
    "priors_851": Column("int", "count", 0, 2),
    "position": Column("float", "share", 0, 1, derived="the term's place in the range"),
    "departure": Column("float", "share", -1, 1, derived="the term's distance from the range"),
    "offense_date": _DATE,
    "sentencing_date": _DATE,
    "custody_start": _DATE,
    "table_date": Column("date", "YYYY-MM-DD", FIRST_DAY, LAST_DAY, derived="sentencing_date"),
    "term": Column("int", "months", 1, 470, derived="sentenced from position and departure"),
    "release_date": Column(
        "date", "YYYY-MM-DD", FIRST_DAY, LAST_DAY, derived="term less good-conduct time"
    ),
    "age": Column("int", "years", 14, 110),
    "female": _BOOL,
    "race": Column("code", "name", codes=RACES),
    "noncitizen": _BOOL,
    "infractions": Column("int", "count", 0, 100),
    "violent": _BOOL,
    "u_grant": Column("float", "share", 0, 1, derived="a uniform draw from the id and seed"),
    "status_points": Column("int", "points", 0, 2, derived="0"),
    "zp_excluded": Column("bool", "true/false", derived="false"),
}
assert tuple(COLUMNS) == tuple(SCHEMA)  # one schema


def _spellings(*words: str) -> tuple[str, ...]:
    """Each word as written, in capitals and capitalized (``isin`` is faster than lowering)."""
    return tuple({v for w in words for v in (w, w.upper(), w.capitalize())})


_TRUE = _spellings("true", "t", "yes", "y", "1", "1.0")
_FALSE = _spellings("false", "f", "no", "n", "0", "0.0")
_MISSING = _spellings("", " ", "nan", "na", "n/a", "null", "none", "nat")
MAX_LISTED = 20  # bad rows listed in an error message


# ------------------------------------------------------------------------ the mapping file
def _mapping_model() -> type:
    from pydantic import Field

    from simulator.scenario import _Strict

    ours = Literal[tuple(SCHEMA)]  # type: ignore[valid-type]
    scalar = str | int | float | bool | dt.date

    class Mapping(_Strict):
        """Our column ← their column, their codes → ours, constants, and unit factors."""

        columns: dict[ours, str] = Field(default_factory=dict)  # type: ignore[valid-type]
        codes: dict[ours, dict[scalar, scalar]] = Field(default_factory=dict)  # type: ignore[valid-type]
        defaults: dict[ours, scalar] = Field(default_factory=dict)  # type: ignore[valid-type]
        scale: dict[ours, float] = Field(default_factory=dict)  # type: ignore[valid-type]

    return Mapping


def load_mapping(path: str | Path) -> Any:
    """Read and validate a column-mapping file (YAML).

    ``columns`` maps our column to theirs, ``codes`` maps their values to ours per column,
    ``defaults`` gives a constant for a column their file lacks, ``scale`` multiplies a numeric
    column (e.g. ``grams: 1000`` for kilograms).

    Raises
    ------
    PopulationError
        With one ``file:line:col: key.path: message`` line per problem.

    Examples
    --------
    >>> m = load_mapping("examples/caseload_mapping.yaml")
    >>> m.columns["grams"], m.scale["grams"], m.codes["drug"]["CRACK"]
    ('qty_kg', 1000.0, 'cocaine_base')
    """
    import yaml
    from pydantic import ValidationError

    from simulator.scenario import _dotted, _LineLoader, _locate

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_LineLoader)
        doc = yaml.load(text, Loader=_LineLoader)
    except OSError as exc:
        raise PopulationError(f"{path}: cannot read mapping: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PopulationError(f"{where}: (yaml): {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise PopulationError(f"{path}:1:1: (top): a mapping file must be a mapping of keys")
    try:
        return _mapping_model().model_validate(doc)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            pos = _locate(root, err["loc"])
            where = f"{path}:{pos[0]}:{pos[1]}" if pos else str(path)
            msg = err["msg"] if err["type"] != "extra_forbidden" else "unknown key"
            if err["type"] == "literal_error":
                msg = f"unknown column {err['input']!r}; see the population schema"
            loc = tuple(p for p in err["loc"] if p != "[key]")
            lines.append(f"{where}: {_dotted(loc)}: {msg}")
        raise PopulationError("\n".join(lines)) from None


# ------------------------------------------------------------------------ reading
def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _raw_chunks(path: Path, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    import pandas as pd

    if not path.exists():
        raise PopulationError(f"{path}: no such file")
    try:
        if _is_parquet(path):
            import pyarrow.parquet as pq

            # without pre-buffering, memory stays flat however many batches are read
            pf = pq.ParquetFile(path, pre_buffer=False)
            if chunk_rows is None:
                yield pf.read().to_pandas(date_as_object=False)
                return
            for batch in pf.iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas(date_as_object=False)
            return
        if path.suffix.lower() not in (".csv", ".gz", ".txt"):
            raise PopulationError(f"{path}: expected a .csv, .csv.gz or .parquet file")
        kw = dict(
            dtype=str, keep_default_na=False, skipinitialspace=True, skiprows=_comment_lines(path)
        )
        if chunk_rows is None:
            yield pd.read_csv(path, **kw)
        else:
            yield from pd.read_csv(path, chunksize=chunk_rows, **kw)
    except PopulationError:
        raise
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise PopulationError(f"{path}: cannot read: {exc}") from None
    except Exception as exc:  # pyarrow and the csv parser raise their own error types
        raise PopulationError(f"{path}: cannot read: {type(exc).__name__}: {exc}") from None


def _comment_lines(path: Path) -> int:
    """Lines starting with ``#`` at the top of a CSV (provenance), which are skipped."""
    import gzip
    import itertools

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        return sum(1 for _ in itertools.takewhile(lambda line: line.startswith("#"), fh))


def provenance(pop: Population) -> dict[str, str]:
    """Where a population came from, as written into a file: source, seed, size, version."""
    from simulator import __version__

    keys = ("source", "seed", "size", "snapshot", "parameters")
    out = {k: str(pop.meta[k]) for k in keys if pop.meta.get(k) is not None}
    if "parameters" in out:  # the file's name: a path would name the machine it was made on
        out["parameters"] = Path(out["parameters"]).name
    return {**out, "people": str(len(pop)), "version": __version__}


def _blank(s: pd.Series) -> np.ndarray:
    """Missing values: NA, NaN, empty text, or text such as ``NA``, ``null``, ``nan``."""
    from pandas.api import types

    out = s.isna().to_numpy().copy()
    if not (types.is_numeric_dtype(s) or types.is_datetime64_any_dtype(s)):
        out |= s.isin(_MISSING).to_numpy()
    return out


class _Checks:
    """Collects (mask, reason) pairs; reasons are built only for the rows that fail."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.problems: list[tuple[np.ndarray, str, np.ndarray | None]] = []

    def add(self, mask: np.ndarray, reason: str, shown: np.ndarray | None = None) -> None:
        if mask.any():
            self.problems.append((mask, reason, shown))

    def ok(self, *columns: str) -> np.ndarray:
        """Rows whose values in ``columns`` passed their own checks."""
        out = np.ones(self.n, dtype=bool)
        for mask, reason, _ in self.problems:
            if reason.split(":")[0] in columns:
                out &= ~mask
        return out

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for mask, _, _ in self.problems:
            out |= mask
        return out

    def reasons(self) -> pd.Series:
        """Every reason of every bad row, joined by '; ', indexed by row position."""
        import pandas as pd

        parts = []
        for mask, reason, shown in self.problems:
            idx = np.flatnonzero(mask)
            text = pd.Series(reason, index=idx)
            if shown is not None:
                text = text + " (got " + pd.Series(shown[idx], index=idx).astype(str) + ")"
            parts.append(text)
        joined = pd.concat(parts) if parts else pd.Series([], dtype=str)
        return joined.groupby(level=0, sort=True).agg("; ".join)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values as float64 and a mask of values that are present but not numbers."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=np.float64), np.zeros(len(s), dtype=bool)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return v, np.isnan(v) & ~_blank(s)


def _parse(name: str, col: Column, s: pd.Series, checks: _Checks) -> np.ndarray:
    """One column as an array of the schema's dtype; every problem recorded in ``checks``."""
    import pandas as pd

    dtype = SCHEMA[name][0]
    blank = _blank(s)
    checks.add(blank, f"{name}: missing")
    raw = s.to_numpy()
    if col.kind == "code":
        index = pd.Index(list(col.codes)).get_indexer(s)
        known = index >= 0
        checks.add(~known & ~blank, f"{name}: unknown code; allowed: {', '.join(col.codes)}", raw)
        return np.where(known, index, 0).astype(dtype)
    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(s) and not blank.any():
            return s.to_numpy(dtype=bool)
        yes, no = s.isin((*_TRUE, True)).to_numpy(), s.isin((*_FALSE, False)).to_numpy()
        checks.add(~yes & ~no & ~blank, f"{name}: expected true or false", raw)
        return yes
    if col.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(s):
            days = s.to_numpy().astype("datetime64[D]").astype(np.int64, copy=False)
            bad = np.zeros(len(s), dtype=bool)
        else:
            parsed = pd.to_datetime(s.astype(str).str.strip(), format="%Y-%m-%d", errors="coerce")
            bad = parsed.isna().to_numpy() & ~blank
            days = parsed.to_numpy().astype("datetime64[D]").astype(np.int64)
        checks.add(bad, f"{name}: expected a date YYYY-MM-DD", raw)
        ok = ~blank & ~bad
        out_of = ok & ((days < col.lo) | (days > col.hi))
        checks.add(out_of, f"{name}: outside 1950-01-01..2100-12-31", raw)
        return np.where(ok & ~out_of, days, 0).astype(dtype)
    v, bad = _numbers(s)
    checks.add(bad, f"{name}: not a number", raw)
    ok = ~blank & ~bad
    finite = np.isfinite(v)
    checks.add(ok & ~finite, f"{name}: not a finite number", raw)
    ok &= finite
    if col.kind == "int":
        frac = ok & (v != np.floor(np.where(ok, v, 0)))
        checks.add(frac, f"{name}: not a whole number", raw)
        ok &= ~frac
    if col.allowed is not None:
        out = ok & ~np.isin(v, col.allowed)
        checks.add(out, f"{name}: must be one of {', '.join(map(str, col.allowed))}", raw)
    else:
        low = "above" if name == "grams" else "at least"
        below = ok & ((v <= col.lo) if name == "grams" else (v < col.lo))
        checks.add(below, f"{name}: must be {low} {col.lo:g}", raw)
        out = below | (ok & (v > col.hi))
        checks.add(ok & (v > col.hi), f"{name}: must be at most {col.hi:g}", raw)
    ok &= ~out
    return np.where(ok, v, 0).astype(dtype)


def _apply_mapping(frame: pd.DataFrame, mapping: Any, source: Path) -> pd.DataFrame:
    import pandas as pd

    if mapping is None:
        return frame
    missing = [theirs for theirs in mapping.columns.values() if theirs not in frame.columns]
    if missing:
        raise PopulationError(
            f"{source}: the mapping names column(s) not in the file: {', '.join(missing)}"
        )
    out = pd.DataFrame(index=frame.index)
    renamed = {theirs: ours for ours, theirs in mapping.columns.items()}
    for col in frame.columns:
        ours = renamed.get(col, col)
        if ours in SCHEMA and (col in renamed or col not in renamed.values()):
            out[ours] = frame[col]
    for ours, value in mapping.defaults.items():
        if ours not in out.columns:
            out[ours] = str(value) if not isinstance(value, bool) else value
    for ours, table in mapping.codes.items():
        if ours not in out.columns:
            continue
        s = out[ours]
        blank = _blank(s)
        text = s.astype(str).str.strip()
        mapped = text.map({_key(k): _key(v) for k, v in table.items()})
        # values the mapping does not name stay as they are, so the checks show them
        out[ours] = mapped.where(mapped.notna(), text).where(~blank, "")
    for ours, factor in mapping.scale.items():
        if ours in out.columns:
            s = out[ours]
            v, bad = _numbers(s)
            keep = bad | _blank(s)
            out[ours] = s.where(keep, v * factor) if keep.any() else v * factor
    return out


def _key(k: Any) -> str:
    if isinstance(k, bool):
        return str(k).lower()
    if isinstance(k, float) and k.is_integer():
        return str(int(k))
    return str(k)


def _check_columns(frame: pd.DataFrame, source: Path) -> None:
    required = [n for n, c in COLUMNS.items() if c.derived is None and n not in frame.columns]
    if required:
        raise PopulationError(
            f"{source}: missing required column(s): {', '.join(required)} "
            "(a mapping file can name your columns; see the population schema)"
        )
    if "term" not in frame.columns and not {"position", "departure"} <= set(frame.columns):
        raise PopulationError(
            f"{source}: give a term column, or position and departure to sentence from"
        )


def _cross_checks(v: dict[str, np.ndarray], present: set[str], checks: _Checks) -> None:
    """Checks across columns (dates in order, status points within the points).

    Each is made only where both columns passed their own checks.
    """
    rules = (
        ("offense_date", "sentencing_date", np.greater, "offense_date: after sentencing_date"),
        ("table_date", "sentencing_date", np.less, "table_date: before sentencing_date"),
        ("release_date", "custody_start", np.less_equal, "release_date: not after custody_start"),
        ("status_points", "chp", np.greater, "status_points: more than chp"),
    )
    for a, b, wrong, reason in rules:
        if a in present:
            checks.add(checks.ok(a, b) & wrong(v[a], v[b]), reason)


@dataclass
class Chunk:
    """The people of one piece of a file: valid rows, rejected rows, rows read."""

    population: Population
    rejected: pd.DataFrame
    rows_read: int


def parse_frame(
    frame: pd.DataFrame,
    *,
    source: Path,
    offset: int = 0,
    seed: int = 0,
    seen_ids: np.ndarray | None = None,
    mapping: Any = None,
) -> Chunk:
    """Check and convert the rows of a raw frame (rows ``offset + 1`` onwards of ``source``).

    ``seen_ids`` holds the ids of earlier chunks (sorted), so a repeated id is caught across
    chunks too: the first row with an id is kept, later ones are rejected.
    """
    import pandas as pd

    original = frame.reset_index(drop=True)
    frame = _apply_mapping(original, mapping, source)
    _check_columns(frame, source)
    n = len(frame)
    checks = _Checks(n)
    present = {c for c in SCHEMA if c in frame.columns}
    v = {}
    for name in (c for c in SCHEMA if c in present):
        try:
            v[name] = _parse(name, COLUMNS[name], frame[name], checks)
        except (TypeError, ValueError) as exc:  # e.g. a Parquet column of lists
            msg = f"{source}: column {name}: cannot read its values ({type(exc).__name__}: {exc})"
            raise PopulationError(msg) from None
    if "id" not in present:
        v["id"] = np.arange(offset, offset + n, dtype=np.int64)
    ids = v["id"].astype(np.int64)
    dup = pd.Series(ids).duplicated(keep="first").to_numpy().copy()
    if seen_ids is not None and len(seen_ids):
        at = np.searchsorted(seen_ids, ids).clip(0, len(seen_ids) - 1)
        dup |= seen_ids[at] == ids
    checks.add(dup & ("id" in present), "id: repeats an earlier row's id", ids)
    _cross_checks(v, present, checks)
    bad = checks.bad()
    good = ~bad
    rejected = pd.DataFrame({"row": np.flatnonzero(bad) + offset + 1})
    if bad.any():
        reasons = checks.reasons()
        for ours, theirs in mapping.columns.items() if mapping is not None else ():
            # name the user's column too: "grams (qty_kg): not a number"
            pattern = rf"(^|; ){ours}:"
            reasons = reasons.str.replace(pattern, rf"\g<1>{ours} ({theirs}):", regex=True)
        rejected["reason"] = reasons.to_numpy()
        raw = original.loc[bad].reset_index(drop=True)  # the row as it is in the file
        rejected = pd.concat([rejected, raw.astype(str)], axis=1)
    else:
        rejected["reason"] = pd.Series([], dtype=str)
    arrays = {k: a[good] for k, a in v.items()}
    arrays = derive(arrays, present, seed=seed)
    meta = {"seed": int(seed), "size": None, "snapshot": None, "source": str(source)}
    return Chunk(Population.from_arrays(arrays, meta), rejected, n)


def derive(arrays: dict[str, np.ndarray], present: set[str], *, seed: int) -> dict[str, np.ndarray]:
    """Fill the derivable columns a file lacks, as the synthesizer computes them."""
    from simulator.clemency import person_uniform
    from simulator.law import load_law
    from simulator.sentencing import guideline
    from simulator.synthesis import sentence

    law = load_law()
    a = dict(arrays)
    n = len(a["drug"])
    a.setdefault("table_date", a["sentencing_date"])
    for name in OPTIONAL_COLUMNS:
        a.setdefault(name, np.zeros(n, dtype=SCHEMA[name][0]))
    cases = {k: a[k] for k in SCHEMA if k in a}
    if "term" not in present:
        done = sentence(law, cases)
        a["term"] = done["term"]
        a.setdefault("release_date", done["release_date"])
    elif not {"position", "departure"} <= present:
        g = guideline(
            law, cases, edition=law.edition_on(a["drug"], a["table_date"]),
            statute_day=a["sentencing_date"],
        )  # fmt: skip
        position, departure = place_term(a["term"], g.range_min, g.range_max)
        a.setdefault("position", position)
        a.setdefault("departure", departure)
    if "release_date" not in a:
        a["release_date"] = law.release_day(a["custody_start"], a["term"], a["infractions"])
    if "u_grant" not in a:
        a["u_grant"] = person_uniform(a["id"], seed, "u_grant")
    return a


def place_term(
    term: np.ndarray, range_min: np.ndarray, range_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Position in the range and departure that give back ``term`` when imposed.

    :func:`simulator.sentencing.impose` turns them back into ``term``: a term below the range
    is a departure from its minimum, one above it a departure from its maximum.

    Examples
    --------
    >>> lo, hi = np.array([80, 80, 80]), np.array([120, 120, 120])
    >>> p, d = place_term(np.array([100, 60, 200]), lo, hi)
    >>> p.tolist(), d.round(3).tolist()
    ([0.5, 0.0, 1.0], [0.0, 0.25, -0.667])
    """
    t = np.asarray(term, dtype=np.float64)
    lo, hi = np.asarray(range_min, np.float64), np.asarray(range_max, np.float64)
    width = hi - lo
    position = np.clip(np.divide(t - lo, width, out=np.zeros_like(t), where=width > 0), 0, 1)
    point = lo + position * width
    departure = np.divide(point - t, point, out=np.zeros_like(t), where=point > 0)
    return position, np.clip(departure, -1, 1)


def _report(rejected: pd.DataFrame, source: Path, total: int, limit: int = MAX_LISTED) -> str:
    head = (
        f"{source}: {len(rejected):,} of {total:,} rows are invalid "
        "(--on-bad-rows skip keeps the others and writes the rejected rows with reasons)"
    )
    lines = [f"{source}: row {r}: {why}" for r, why in zip(
        rejected["row"][:limit], rejected["reason"][:limit], strict=True
    )]  # fmt: skip
    if len(rejected) > limit:
        lines.append(f"... and {len(rejected) - limit:,} more")
    return "\n".join([head, *lines])


def iter_population(
    path: str | Path,
    mapping: str | Path | Any = None,
    on_bad_rows: Literal["fail", "skip"] = "fail",
    *,
    seed: int = 0,
    chunk_rows: int | None = None,
) -> Iterator[Chunk]:
    """Read a population file in chunks of ``chunk_rows`` rows (all at once if None).

    Each chunk is checked as :func:`read_population` checks the whole file; ids (given or
    derived from the row number) and derived columns do not depend on the chunking.
    """
    path = Path(path)
    if on_bad_rows not in ("fail", "skip"):
        raise PopulationError(f"on_bad_rows must be 'fail' or 'skip', not {on_bad_rows!r}")
    if mapping is not None and not hasattr(mapping, "columns"):
        mapping = load_mapping(mapping)
    offset, seen = 0, np.zeros(0, dtype=np.int32)
    for frame in _raw_chunks(path, chunk_rows):
        chunk = parse_frame(
            frame, source=path, offset=offset, seed=seed, seen_ids=seen, mapping=mapping
        )
        if on_bad_rows == "fail" and len(chunk.rejected):
            raise PopulationError(_report(chunk.rejected, path, offset + chunk.rows_read))
        offset += chunk.rows_read
        ids = chunk.population.id
        if chunk_rows is not None:
            # two sorted runs: the stable sort merges them in linear time
            seen = np.concatenate([seen, np.sort(ids)])
            seen.sort(kind="stable")  # in place: 8 bytes a person at the peak
        yield chunk
    if offset == 0:
        raise PopulationError(f"{path}: no rows")


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
    import pandas as pd

    chunks = list(iter_population(path, mapping, on_bad_rows, seed=seed))
    chunk = chunks[0]
    rejected = pd.concat([c.rejected for c in chunks]) if len(chunks) > 1 else chunk.rejected
    if len(chunk.population) == 0:
        raise PopulationError(_report(rejected, Path(path), chunk.rows_read) + "\nno valid rows")
    pop = chunk.population
    pop.meta.update(rows_read=chunk.rows_read, rejected=rejected)
    return pop


# ------------------------------------------------------------------------ writing
def to_file_frame(pop: Population, *, dates_as_text: bool) -> pd.DataFrame:
    """The population as a file holds it: names for codes, dates as dates, floats exact."""
    import pandas as pd

    df = {}
    for name, col in COLUMNS.items():
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
    from simulator.report import atomic_write

    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to overwrite")
    if _is_parquet(path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = to_file_frame(pop, dates_as_text=False)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.cast(pa.schema([
            pa.field(n, pa.date32() if c.kind == "date" else table.schema.field(n).type)
            for n, c in COLUMNS.items()
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
                import gzip

                with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as z:
                    z.write(text)
            else:
                fh.write(text)

    atomic_write(path, write)
    return path


__all__ = [
    "COLUMNS",
    "Chunk",
    "PopulationError",
    "iter_population",
    "load_mapping",
    "read_population",
    "write_population",
]
