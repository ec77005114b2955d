"""A scenario applied to the people of a population file, whole or chunk by chunk.

Large files (and any file with ``chunk_rows``) are read a chunk at a time
(:mod:`simulator.runs.chunked`); clemency scenarios need the whole population at once. The
outcome records the file it read (``summary["population_file"]``) and carries the rejected
rows with their reasons (``rejected_rows``), which ``simulate run --out`` writes beside the
other outputs.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> run = run_file(s, "examples/caseload.csv", mapping="examples/caseload_mapping.yaml",
...                on_bad_rows="skip", seed=0, chunk_rows=None)
>>> run.outcome.summary["population_file"]["rows_rejected"], run.rows_read
(2, 40)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from simulator.inputs.mapping import Mapping
from simulator.inputs.population_files import read_population
from simulator.model.apply import apply
from simulator.runs.chunked import (
    DEFAULT_CHUNK_ROWS,
    apply_file,
    needs_chunks,
    whole_population_reason,
)
from simulator.scenario import Scenario

#: The file ``--out`` writes the rejected rows to.
REJECTED_NAME = "rejected_rows.csv"


@dataclass
class FileRun:
    """The outcome of a run on a population file, with the rows it left out."""

    outcome: Any  # Outcome, or ChunkedOutcome when read in chunks
    rejected: Any  # DataFrame: row, reason, and the row as it is in the file
    rows_read: int


def chunk_rows_for(scenario: Scenario, path: str | Path, chunk_rows: int | None) -> int | None:
    """Rows a chunk: as asked, or the default for a large file (never for a queue).

    Examples
    --------
    >>> import simulator as sim
    >>> chunk_rows_for(sim.load_scenario("scenarios/2014_guidelines.yaml"),
    ...                "examples/caseload.csv", None) is None
    True
    """
    queue = whole_population_reason(scenario) is not None
    if chunk_rows is None and not queue and needs_chunks(path):
        return DEFAULT_CHUNK_ROWS
    return chunk_rows


def run_file(
    scenario: Scenario,
    path: str | Path,
    *,
    mapping: str | Path | Mapping | None,
    on_bad_rows: Literal["fail", "skip"],
    seed: int,
    chunk_rows: int | None,
) -> FileRun:
    """Apply ``scenario`` to the people of a population file (in chunks if ``chunk_rows``).

    Raises
    ------
    PopulationError
        For a file that cannot be read, a missing column, a file without a valid row, or
        (``fail``) any bad row: the same error whether the file is read whole or in chunks.
    ChunkingError
        For a clemency scenario asked to run in chunks.
    """
    if chunk_rows:
        outcome, rejected, read = apply_file(
            path, scenario, mapping=mapping, on_bad_rows=on_bad_rows, seed=seed,
            chunk_rows=chunk_rows,
        )  # fmt: skip
    else:
        pop = read_population(path, mapping, on_bad_rows, seed=seed)
        rejected, read = pop.meta.pop("rejected"), pop.meta.pop("rows_read")
        outcome = apply(pop, scenario)
    outcome.summary["population_file"] = {
        "path": str(path),
        "rows_read": int(read),
        "rows_rejected": len(rejected),
    }
    outcome.rejected_rows = rejected  # written by write_outputs beside the other outputs
    return FileRun(outcome, rejected, int(read))
