"""Populations larger than memory: apply a scenario chunk by chunk and add up the results.

The engine's result for a person depends only on that person's row (grant draws come from the
person's own uniform), so a population can be cut into chunks, each applied with
:func:`simulator.model.apply.apply`, and the summaries added: counts, sums of whole months and whole
days (integers, so the totals are exact in any order), monthly release counts and the
breakdowns' group totals. Means are formed at the end from those sums, so the summary equals
the unchunked one exactly. Clemency scenarios are the exception: their review queue ranks every
petition in the population, so they need the whole population at once.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> pop = sim.synthesize(s.population, seed=3, size=0.02)
>>> chunked = apply_chunked(split(pop, 700), s)
>>> chunked.summary == sim.apply(pop, s).summary
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from simulator import lazy
from simulator.calendar import add_years, iso
from simulator.errors import ChunkingError
from simulator.inputs.mapping import Mapping
from simulator.inputs.population_files import iter_population
from simulator.inputs.rows import rejected_rows
from simulator.law import conventions, load_law
from simulator.model.apply import apply
from simulator.model.changes import change_label
from simulator.model.outcomes import BREAKDOWNS, Outcome, days_between
from simulator.model.population import Population
from simulator.scenario import Scenario
from simulator.version import __version__

pd = lazy.module("pandas")
pq = lazy.module("pyarrow.parquet")

#: Rows per chunk when a file is read in chunks (smaller chunks were faster, too: see
#: benchmarks/README.md).
DEFAULT_CHUNK_ROWS = 250_000
#: Files with more rows than this (Parquet), or more bytes than this (CSV), are read in chunks
#: even without ``--chunk-rows``.
AUTO_CHUNK_ROWS = 2_000_000
AUTO_CHUNK_CSV_BYTES = 300 * 2**20


def needs_chunks(path: str | Path) -> bool:
    """Whether a population file is large enough to be read in chunks by default.

    Examples
    --------
    >>> needs_chunks("examples/caseload.csv")
    False
    """
    path = Path(path)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pq.ParquetFile(path).metadata.num_rows > AUTO_CHUNK_ROWS
        return path.stat().st_size > AUTO_CHUNK_CSV_BYTES
    except Exception:  # an unreadable file is reported by the reader, with its reason
        return False


def split(pop: Population, rows: int) -> Iterator[Population]:
    """The population in consecutive pieces of at most ``rows`` people."""
    for start in range(0, len(pop), rows):
        yield pop.take(np.arange(start, min(start + rows, len(pop))))


def whole_population_reason(scenario: Scenario) -> str | None:
    """Why a scenario cannot be run in chunks (a queue that ranks everyone), or None.

    Examples
    --------
    >>> import simulator as sim
    >>> whole_population_reason(sim.load_scenario("scenarios/2014_guidelines.yaml")) is None
    True
    """
    if any(ch.type == "clemency" for ch in scenario.changes):
        return (
            "a clemency scenario cannot be run in chunks: its review queue ranks every "
            "petition in the population"
        )
    if scenario.retroactivity.process is not None:
        return (
            "a scenario with retroactivity.process cannot be run in chunks: its court "
            "queue orders every motion in the population"
        )
    return None


class ChunkedOutcome:
    """Summary, release waves and breakdowns added up over chunks (see :class:`Outcome`).

    It offers what the reports need (``summary``, ``wave_counts``, ``waves``,
    ``breakdown_columns``, ``breakdown``, ``breakdown_records``) but no per-person rows.
    """

    has_people = False

    def __init__(self, scenario: Scenario) -> None:
        reason = whole_population_reason(scenario)
        if reason:
            raise ChunkingError(f"{reason} (run it on the whole population)")
        self.scenario = scenario
        self.meta: dict[str, Any] = {}
        self.t: dict[str, Any] = {}
        self.groups_names: dict[str, list[str]] = {}
        self.chunks = 0

    def _add(self, key: str, value: Any) -> None:
        self.t[key] = self.t[key] + value if key in self.t else value

    def add(self, outcome: Outcome) -> None:
        """Add one chunk's outcome."""
        pop, red = outcome.population, outcome.reduction
        if not self.chunks:
            self.meta = dict(pop.meta)
            self.first_day = outcome.first_day
            self.months = outcome.wave_counts["month"]
        self.chunks += 1
        g = red.granted
        year_end = add_years(outcome.first_day, 1)
        moved = outcome.moved
        add = self._add
        add("population", len(pop))
        add("eligible", int(red.eligible.sum()))
        add("granted", int(g.sum()))
        add("cut", int((pop.term.astype(np.int64) - red.term)[g].sum()))
        add("imposed", int(pop.term[g].astype(np.int64).sum()))
        add("first_day", int((moved & (red.release == outcome.first_day)).sum()))
        first_year = moved & (red.release > outcome.first_day) & (red.release <= year_end)
        add("first_year", int(first_year.sum()))
        add("bed_days", int(days_between(red.release, pop.release_date).sum()))
        add("undelayed_days", int(days_between(red.release_undelayed, pop.release_date).sum()))
        add("projected_days", int(red.saved_as_projected.astype(np.int64).sum()))
        for key in ("releases", "baseline", "scenario"):
            add(f"waves.{key}", outcome.wave_counts[key].astype(np.int64))
        days = days_between(red.release, pop.release_date)
        cut_each = np.where(g, pop.term.astype(np.int64) - red.term, 0)
        for by in BREAKDOWNS:
            codes, names = outcome.groups(by)
            self.groups_names[by] = names
            k = len(names)

            def total(w: np.ndarray | None = None, codes: np.ndarray = codes, k: int = k):
                return np.bincount(codes, weights=w, minlength=k).astype(np.int64)

            add(f"{by}.population", total())
            add(f"{by}.eligible", total(red.eligible))
            add(f"{by}.granted", total(g))
            add(f"{by}.cut", total(cut_each))
            add(f"{by}.days", total(days))
        if len(self.scenario.changes) > 1:
            self._add_by_change(pop)

    def merge(self, other: ChunkedOutcome) -> None:
        """Add the chunks another accumulator holds (one from a worker process, say)."""
        if not other.chunks:
            return
        if not self.chunks:
            self.meta = dict(other.meta)
            self.first_day, self.months = other.first_day, other.months
        self.chunks += other.chunks
        self.groups_names.update(other.groups_names)
        for key, value in other.t.items():
            self._add(key, value)

    def _add_by_change(self, pop: Population) -> None:
        for i, ch in enumerate(self.scenario.changes):
            alone = apply(pop, self.scenario.model_copy(update={"changes": [ch]})).reduction
            cut = (pop.term.astype(np.int64) - alone.reduced_term)[alone.eligible]
            self._add(f"change.{i}", np.array([alone.eligible.sum(), alone.granted.sum(),
                                               cut.sum()], dtype=np.int64))  # fmt: skip

    # ------------------------------------------------------------------ results
    @property
    def wave_counts(self) -> dict[str, np.ndarray]:
        """Releases by month, as :attr:`Outcome.wave_counts`."""
        return {"month": self.months, **{k: self.t[f"waves.{k}"] for k in
                                         ("releases", "baseline", "scenario")}}  # fmt: skip

    @property
    def waves(self) -> pd.DataFrame:
        """Releases by month as a DataFrame."""
        return pd.DataFrame(self.wave_counts)

    def breakdown_columns(self, by: str) -> dict[str, Any]:
        """A breakdown's columns, as :meth:`Outcome.breakdown_columns`."""
        t, per_year = self.t, conventions().days_per_year
        people, granted = t[f"{by}.population"], t[f"{by}.granted"]
        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                by: self.groups_names[by],
                "population": people,
                "eligible": t[f"{by}.eligible"],
                "granted": granted,
                "mean_reduction_months": np.round(t[f"{by}.cut"] / granted, 2),
                "bed_years_saved": np.round(t[f"{by}.days"] / per_year, 2),
                "eligible_pct": np.round(100.0 * t[f"{by}.eligible"] / people, 2),
            }

    def breakdown_records(self, by: str) -> list[dict]:
        """A breakdown as JSON-ready records."""
        return Outcome.breakdown_records(self, by)  # type: ignore[arg-type]

    def breakdown(self, by: str) -> pd.DataFrame:
        """A breakdown as a DataFrame indexed by group."""
        return pd.DataFrame(self.breakdown_columns(by)).set_index(by)

    @cached_property
    def summary(self) -> dict:
        """Headline figures, as :attr:`Outcome.summary` (computed once all chunks are added)."""
        if not self.chunks:
            raise ChunkingError("no people: the population had no rows")
        t, g = self.t, self.t["granted"]
        per_year = conventions().days_per_year
        bed_years = float(t["bed_days"] / per_year)
        out = {
            "scenario": self.scenario.title,
            "population": t["population"],
            "eligible": t["eligible"],
            "granted": g,
            "mean_reduction_months": round(t["cut"] / g, 2) if g else 0.0,
            "mean_reduction_pct": round(100.0 * t["cut"] / t["imposed"], 2) if g else 0.0,
            "mean_term_before_months": round(t["imposed"] / g, 1) if g else 0.0,
            "released_first_day": t["first_day"],
            "released_first_year": t["first_year"],
            "first_release_date": iso(self.first_day),
            "bed_years_saved": round(bed_years, 1),
            "cost_saved_usd": round(bed_years * self.scenario.costs.per_bed_year, 0),
            "bed_years_saved_undelayed": round(float(t["undelayed_days"] / per_year), 1),
            "bed_years_saved_projected": round(float(t["projected_days"] / per_year), 1),
            "seed": self.meta.get("seed"),
            "size": self.meta.get("size"),
            "snapshot": self.meta.get("snapshot"),
            "scenario_sha256": self.scenario.sha256(),
            "version": __version__,
            "waves": [
                {"month": str(m), "releases": int(n)}
                for m, n in zip(self.months, t["waves.releases"], strict=True)
            ],
            "breakdowns": {k: self.breakdown_records(k) for k in BREAKDOWNS},
        }
        if len(self.scenario.changes) > 1:
            rows = []
            for i, ch in enumerate(self.scenario.changes):
                eligible, granted, cut = (int(x) for x in t[f"change.{i}"])
                rows.append(
                    {
                        "change": change_label(ch, i),
                        "eligible": eligible,
                        "granted": granted,
                        "mean_reduction_months": round(cut / eligible, 2) if eligible else 0.0,
                    }
                )
            out["by_change"] = rows
        return out


def apply_chunked(chunks: Iterable[Population], scenario: Scenario) -> ChunkedOutcome:
    """Apply a scenario to each chunk of a population and add up the results.

    Parameters
    ----------
    chunks : iterable of Population
        The population, piece by piece (e.g. :func:`split`, or a file read in chunks).
    scenario : Scenario
        Any scenario without a clemency change.

    Returns
    -------
    ChunkedOutcome
        Whose ``summary`` equals that of ``apply`` on the whole population.
    """
    law = load_law()
    total = ChunkedOutcome(scenario)
    for chunk in chunks:
        if len(chunk):
            total.add(apply(chunk, scenario, law=law))
    return total


def apply_file(
    path: str | Path,
    scenario: Scenario,
    *,
    mapping: str | Path | Mapping | None = None,
    on_bad_rows: str = "fail",
    seed: int = 0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> tuple[ChunkedOutcome, pd.DataFrame, int]:
    """Apply a scenario to a population file read ``chunk_rows`` rows at a time.

    Returns the outcome, the rejected rows (with reasons) and the number of rows read: the
    same rows, reasons and figures as a run on the file read whole. Peak memory grows with
    ``chunk_rows``, and only by the ids seen so far with the file.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> out, rejected, read = apply_file("examples/caseload.csv", s, on_bad_rows="skip",
    ...                                  mapping="examples/caseload_mapping.yaml", chunk_rows=10)
    >>> out.chunks, out.summary["population"], len(rejected), read
    (4, 38, 2, 40)
    """
    rejected: list[pd.DataFrame] = []
    read = 0

    def people() -> Iterator[Population]:
        nonlocal read
        for chunk in iter_population(
            path, mapping, on_bad_rows, seed=seed, chunk_rows=chunk_rows
        ):  # fmt: skip
            read += chunk.rows_read
            rejected.append(chunk.rejected)
            yield chunk.population

    # a file without a valid row raises PopulationError, as it does read whole
    return apply_chunked(people(), scenario), rejected_rows(rejected), read


__all__ = [
    "ChunkedOutcome",
    "ChunkingError",
    "apply_chunked",
    "apply_file",
    "needs_chunks",
    "split",
]
