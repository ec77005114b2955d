"""A scenario applied to the people of a population file, whole or chunk by chunk.

Large files (and any file with ``chunk_rows``) are read a chunk at a time
(:mod:`simulator.runs.chunked`); clemency scenarios need the whole population at once. The
outcome records the file it read (``summary["population_file"]``) and carries the rejected
rows with their reasons (``rejected_rows``), which ``simulate run --out`` writes beside the
other outputs.

With a codebook mapping (``mapping="ussc"``: the Sentencing Commission's datafiles), one or
several datafiles are read whole (:func:`simulator.inputs.ussc.read_ussc`), the stock on the
scenario's ``population.snapshot`` is kept, and the outcome carries the agreement of the
engine's guideline calculation with the files' (``summary["agreement"]``, ``agreement``).

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

from simulator.calendar import day
from simulator.errors import ChunkingError, PopulationError
from simulator.inputs.agreement import agreement
from simulator.inputs.mapping import Codebook, Mapping, load_mapping
from simulator.inputs.population_files import read_population
from simulator.inputs.ussc import read_ussc
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


def is_codebook(mapping: str | Path | Mapping | Codebook | None) -> bool:
    """Whether ``mapping`` names a codebook (a datafile's variables), such as ``ussc``.

    Examples
    --------
    >>> is_codebook("ussc"), is_codebook("examples/caseload_mapping.yaml"), is_codebook(None)
    (True, False, False)
    """
    if mapping is None:
        return False
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping(mapping)
    return isinstance(mapping, Codebook)


def run_file(
    scenario: Scenario,
    path: str | Path | list[str | Path],
    *,
    mapping: str | Path | Mapping | Codebook | None,
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
        For a clemency scenario asked to run in chunks, or datafiles asked to.
    """
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping(mapping)
    if isinstance(mapping, Codebook):
        if chunk_rows:
            raise ChunkingError(
                "a datafile is read whole (only the variables the mapping names): leave out "
                "--chunk-rows"
            )
        return run_datafiles(scenario, path, mapping, on_bad_rows=on_bad_rows, seed=seed)
    if not isinstance(path, (str, Path)):
        if len(path) != 1:
            raise PopulationError(
                "several population files are read together only as datafiles (--mapping ussc)"
            )
        (path,) = path
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


def run_datafiles(
    scenario: Scenario,
    paths: str | Path | list[str | Path],
    codebook: Codebook,
    *,
    on_bad_rows: Literal["fail", "skip"],
    seed: int,
) -> FileRun:
    """Apply ``scenario`` to the stock that datafiles give on its ``population.snapshot``.

    Without a snapshot in the scenario, every case with a prison term is in the population.
    The outcome's summary has ``population_file`` (files, rows read and rejected) and
    ``agreement`` (:func:`simulator.inputs.agreement.agreement`); ``outcome.agreement`` holds
    the :class:`~simulator.inputs.agreement.Agreement` itself.
    """
    files = [paths] if isinstance(paths, (str, Path)) else list(paths)
    snapshot = scenario.population.snapshot
    read = read_ussc(
        files, codebook, on_bad_rows,
        snapshot=day(snapshot) if snapshot else None, seed=seed,
    )  # fmt: skip
    found = agreement(
        read.cases, read.recorded, read.drugs, steps=read.counts, rejected=read.rejected
    )
    if not len(read.population):
        raise PopulationError(
            f"{', '.join(map(str, files))}: no one is in custody on {snapshot} of the "
            f"{read.counts['valid']:,} valid cases"
        )
    outcome = apply(read.population, scenario)
    outcome.summary["population_file"] = {
        "path": ", ".join(str(p) for p in files),
        "rows_read": read.rows_read,
        "rows_rejected": len(read.rejected),
    }
    outcome.summary["agreement"] = found.summary()
    outcome.rejected_rows = read.rejected
    outcome.agreement = found
    return FileRun(outcome, read.rejected, read.rows_read)
