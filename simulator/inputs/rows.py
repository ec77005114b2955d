"""The rows of a population file: every row checked, bad rows reported, missing columns derived.

A bad row is reported with its number (row 1 is the first data row, line 2 of a CSV) and every
reason. Columns a user rarely has are derived the way the synthesizer derives them: ``term``
and ``release_date`` by :func:`simulator.inputs.synthesis.sentence` (or good-conduct time from
the term), ``position``/``departure`` by placing the term in the guideline range, ``u_grant``
as a per-person uniform of the id (:func:`simulator.numeric.person_uniform`, so any chunking
gives the same draws).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator import lazy
from simulator.errors import PopulationError
from simulator.inputs.cells import Checks, parse_column
from simulator.inputs.exits import completes_rdap, earns_time_credits
from simulator.inputs.mapping import Mapping, apply_mapping
from simulator.inputs.synthesis import sentence
from simulator.law import load_law
from simulator.model.population import OPTIONAL_COLUMNS, SCHEMA, Population
from simulator.model.sentencing import drug_term, guideline
from simulator.numeric import person_uniform

pd = lazy.module("pandas")

#: Bad rows listed in an error message.
MAX_LISTED = 20


def _check_columns(frame: pd.DataFrame, source: Path) -> None:
    required = [n for n, c in SCHEMA.items() if c.derived is None and n not in frame.columns]
    if required:
        (first, *others) = [str(c) for c in frame.columns] or [""]
        hint = (
            "the header is one column: are the cells separated by something other than commas?"
            if not others and any(sep in first for sep in ";\t|")
            else "a mapping file can name your columns; see the population schema"
        )
        raise PopulationError(
            f"{source}: missing required column(s): {', '.join(required)} ({hint})"
        )
    if "term" not in frame.columns and not {"position", "departure"} <= set(frame.columns):
        raise PopulationError(
            f"{source}: give a term column, or position and departure to sentence from"
        )


def _cross_checks(v: dict[str, np.ndarray], present: set[str], checks: Checks) -> None:
    """Checks across columns (dates in order, status points within the points, §924(c) in term).

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
    # the consecutive §924(c) term is part of the term, which holds a drug term of a month or
    # more besides (a term coded as life is life on the drug count)
    if {"firearm_924c_months", "term"} <= present:
        fa, term = v["firearm_924c_months"], v["term"]
        wrong_fa = (fa >= term) & (term < load_law().life_months)
        checks.add(
            checks.ok("firearm_924c_months", "term") & wrong_fa,
            "firearm_924c_months: not less than term (term includes it)",
        )
    # a second drug comes with its quantity, and a quantity with its drug
    if "drug2" in present or "grams2" in present:
        d2 = v["drug2"] if "drug2" in present else np.zeros(len(v["drug"]), np.int8)
        g2 = v["grams2"] if "grams2" in present else np.zeros(len(v["drug"]))
        checks.add(
            checks.ok("drug2", "grams2") & (d2 > 0) & ~(g2 > 0),
            "grams2: must be above 0 with a second drug (drug2)",
        )
        checks.add(
            checks.ok("drug2", "grams2") & (d2 == 0) & (g2 > 0),
            "drug2: missing for a quantity in grams2",
        )
        checks.add(
            checks.ok("drug", "drug2") & (d2 == v["drug"].astype(np.int16) + 1),
            "drug2: the same drug as drug (add the quantities in grams)",
        )
    # the safety valve's criminal history (USSG §4A1.1): within the points besides status points
    other = v["chp"].astype(np.int16) - (v["status_points"] if "status_points" in present else 0)
    wrong = {
        "one_point": lambda x: x > other,
        "prior_3pt": lambda x: x & (other < 3),
        "prior_2pt_violent": lambda x: x & (other < 2),
    }
    reasons = {
        "one_point": "one_point: more than chp less status_points",
        "prior_3pt": "prior_3pt: true with fewer than 3 points besides status points",
        "prior_2pt_violent": "prior_2pt_violent: true with fewer than 2 points besides status "
        "points",
    }
    for name, test in wrong.items():
        if name in present:
            checks.add(checks.ok("chp", "status_points", name) & test(v[name]), reasons[name])


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
    mapping: Mapping | None = None,
    labels: dict[str, str] | None = None,
    shown: pd.DataFrame | None = None,
) -> Chunk:
    """Check and convert the rows of a raw frame (rows ``offset + 1`` onwards of ``source``).

    Every row is checked on its own first (each cell, then across columns). A repeated id is
    judged among the rows that pass: the first valid row with an id is kept, and later valid
    rows with the same id are rejected; a row rejected for another reason claims no id.
    ``seen_ids`` holds the (sorted) ids of the valid rows of earlier chunks, so a file read in
    chunks of any size rejects exactly the rows a whole read rejects.

    A frame already in our columns (computed from a datafile, :mod:`simulator.inputs.ussc`)
    may pass ``labels`` (our column -> the file's variables it came from, named in the
    reasons) and ``shown`` (the rows as the file holds them, for the rejected rows).
    """
    original = frame.reset_index(drop=True)
    frame = apply_mapping(original, mapping, source)
    _check_columns(frame, source)
    n = len(frame)
    checks = Checks(n)
    present = {c for c in SCHEMA if c in frame.columns}
    v = {}
    for name in (c for c in SCHEMA if c in present):
        try:
            v[name] = parse_column(name, SCHEMA[name], frame[name], checks)
        except (TypeError, ValueError) as exc:  # e.g. a Parquet column of lists
            msg = f"{source}: column {name}: cannot read its values ({type(exc).__name__}: {exc})"
            raise PopulationError(msg) from None
    if "id" not in present:
        v["id"] = np.arange(offset, offset + n, dtype=np.int64)
    _cross_checks(v, present, checks)
    if "id" in present:  # ids from row numbers never repeat
        ids = v["id"].astype(np.int64)
        valid = ~checks.bad()
        dup = np.zeros(n, dtype=bool)
        dup[valid] = _repeated(ids[valid], seen_ids)
        checks.add(dup, "id: repeats an earlier row's id", ids)
    bad = checks.bad()
    good = ~bad
    rejected = pd.DataFrame({"row": np.flatnonzero(bad) + offset + 1})
    if bad.any():
        reasons = checks.reasons()
        if labels is None:
            labels = mapping.columns if mapping is not None else {}
        for ours, theirs in labels.items():
            # name the user's column too: "grams (qty_kg): not a number"
            pattern = rf"(^|; ){ours}:"
            reasons = reasons.str.replace(pattern, rf"\g<1>{ours} ({theirs}):", regex=True)
        rejected["reason"] = reasons.to_numpy()
        raw = (original if shown is None else shown.reset_index(drop=True)).loc[bad]
        raw = raw.reset_index(drop=True)  # the row as it is in the file
        rejected = pd.concat([rejected, raw.astype(str)], axis=1)
    else:
        rejected["reason"] = pd.Series([], dtype=object)
    arrays = {k: a[good] for k, a in v.items()} if bad.any() else dict(v)
    arrays = derive(arrays, present, seed=seed)
    meta = {"seed": int(seed), "size": None, "snapshot": None, "source": str(source)}
    return Chunk(Population.from_arrays(arrays, meta), rejected, n)


def _repeated(ids: np.ndarray, seen: np.ndarray | None) -> np.ndarray:
    """Ids that repeat an earlier one of ``ids`` or one of the sorted ``seen``."""
    dup = pd.Series(ids).duplicated(keep="first").to_numpy().copy()
    if seen is not None and len(seen) and len(ids) and ids.min() <= seen[-1]:
        at = np.searchsorted(seen, ids).clip(0, len(seen) - 1)
        dup |= seen[at] == ids
    return dup


def rejected_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The rejected rows of a file's chunks as one frame (the same for any chunking)."""
    parts = [p for p in parts if len(p)]
    if parts:
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"row": np.zeros(0, np.int64), "reason": pd.Series([], dtype=object)})


def derive(arrays: dict[str, np.ndarray], present: set[str], *, seed: int) -> dict[str, np.ndarray]:
    """Fill the derivable columns a file lacks, as the synthesizer computes them."""
    law = load_law()
    a = dict(arrays)
    n = len(a["drug"])
    a.setdefault("table_date", a["sentencing_date"])
    for name in OPTIONAL_COLUMNS:
        if name not in a:
            a[name] = SCHEMA[name].default(a, n)
    cases = {k: a[k] for k in SCHEMA if k in a}
    if "term" not in present:
        done = sentence(law, cases)
        a["term"] = done["term"]
        a.setdefault("release_date", done["release_date"])
    elif not {"position", "departure"} <= present:
        g = guideline(
            law, cases, edition=law.edition_on(a["drug"], a["table_date"]),
            statute_day=a["sentencing_date"],
            edition2=law.edition_on(np.maximum(a["drug2"].astype(np.int16) - 1, 0),
                                    a["table_date"]),
        )  # fmt: skip
        drug = drug_term(law, a["term"], a["firearm_924c_months"])  # the range is the drug count's
        position, departure = place_term(drug, g.range_min, g.range_max)
        a.setdefault("position", position)
        a.setdefault("departure", departure)
    # a file's early-release flags count only where the law lets the person qualify
    a["rdap"] = completes_rdap(law, a, a["term"], a["rdap"], min_term=0)
    a["ftc"] = earns_time_credits(law, a, a["term"], a["ftc"])
    if "release_date" not in a:
        a["release_date"] = law.release_day(
            a["custody_start"], a["term"], a["infractions"], a["rdap"], a["ftc"]
        )
    if "u_grant" not in a:
        a["u_grant"] = person_uniform(a["id"], seed, "u_grant")
    return a


def place_term(
    term: np.ndarray, range_min: np.ndarray, range_max: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Position in the range and departure that give back ``term`` when imposed.

    :func:`simulator.model.sentencing.impose` turns them back into ``term``: a term below the range
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


def report(
    rejected: pd.DataFrame,
    source: Path,
    total: int,
    limit: int = MAX_LISTED,
    *,
    count: int | None = None,
) -> str:
    """The error message for rejected rows: how many, and the first ``limit`` with reasons.

    ``count`` is the number of rejected rows when ``rejected`` holds only the first of them.
    """
    count = len(rejected) if count is None else count
    head = (
        f"{source}: {count:,} of {total:,} rows are invalid "
        "(--on-bad-rows skip keeps the others and writes the rejected rows with reasons)"
    )
    lines = [f"{source}: row {r}: {why}" for r, why in zip(
        rejected["row"][:limit], rejected["reason"][:limit], strict=True
    )]  # fmt: skip
    if count > limit:
        lines.append(f"... and {count - limit:,} more")
    return "\n".join([head, *lines])
