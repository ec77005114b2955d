"""``simulate export-population`` and the population-file part of ``simulate run``.

``export-population`` writes the synthetic population in the population-file schema (the
same file ``simulate run --population`` reads back, exactly). ``run --population FILE`` reads
people from a file instead of synthesizing them (in chunks with ``--chunk-rows``, for files
larger than memory).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click


def _fail(message: str, code: int = 2) -> click.ClickException:
    from simulator.cli import _Fail

    return _Fail(message, code)


@click.command("export-population")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the synthetic population.")  # fmt: skip
@click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True, max=200),
    default=1.0,
    show_default=True,
    help="Scale (1 = the calibrated ~100,000 people).",
)
@click.option(
    "--snapshot",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The stock in custody on this day, 2000-01-01..2025-12-31 (default: 2014-11-01).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write: .parquet, .csv or .csv.gz.",
)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def export_population_command(
    seed: int, size: float, snapshot: dt.datetime | None, output: str, force: bool
) -> None:
    """Write the synthetic population as a population file (the schema --population reads)."""
    from simulator.population_io import write_population
    from simulator.scenario import PopulationSpec
    from simulator.synthesis import synthesize

    path = Path(output)
    if path.suffix.lower() not in (".parquet", ".pq", ".csv", ".gz"):
        raise _fail(f"{output}: the file name must end in .parquet, .csv or .csv.gz")
    if snapshot is not None and not dt.date(2000, 1, 1) <= snapshot.date() <= dt.date(2025, 12, 31):
        raise _fail(f"--snapshot {snapshot.date()}: must be from 2000-01-01 to 2025-12-31")
    if path.exists() and not force:
        raise _fail(f"{path} exists; use --force to overwrite")
    spec = PopulationSpec(snapshot=snapshot.date() if snapshot else None, size=size)
    pop = synthesize(spec, seed=seed)
    try:
        write_population(pop, path, force=force)
    except OSError as exc:
        raise _fail(f"error: {path}: {exc.strerror or exc}", 1) from None
    click.echo(f"wrote {path} ({len(pop):,} people, seed {seed}, size {size:g})", err=True)


REJECTED_NAME = "rejected_rows.csv"


def check_population_options(
    population_file: str | None, mapping: str | None, size: float | None, chunk_rows: int | None
) -> None:
    """Options that only make sense with (or without) ``--population``: exit 2 otherwise."""
    if population_file is None:
        for name, value in (("--mapping", mapping), ("--chunk-rows", chunk_rows)):
            if value is not None:
                raise _fail(f"{name} needs --population FILE")
    elif size is not None:
        raise _fail("--size scales the synthetic population; it cannot be used with --population")


def run_population_file(
    scenario: Any,
    path: str,
    *,
    mapping: str | None,
    on_bad_rows: str,
    seed: int,
    chunk_rows: int | None,
    out: str | None,
    force: bool,
) -> Any:
    """Apply ``scenario`` to the people of a population file; report rejected rows.

    The outcome carries the rejected rows (``rejected_rows``), which ``--out`` writes to
    ``rejected_rows.csv`` with the other outputs; their count and the first reason go to stderr.
    """
    from simulator.chunked import DEFAULT_CHUNK_ROWS, ChunkingError, apply_file, needs_chunks
    from simulator.engine import apply
    from simulator.population_io import PopulationError, read_population

    clemency = any(ch.type == "clemency" for ch in scenario.changes)
    if chunk_rows is None and not clemency and needs_chunks(path):
        chunk_rows = DEFAULT_CHUNK_ROWS
        click.echo(
            f"{path}: a large file, read {chunk_rows:,} rows at a time (--chunk-rows sets "
            "how many; a chunked run writes no people.csv.gz)",
            err=True,
        )
    try:
        if chunk_rows:
            outcome, rejected, read = apply_file(
                path, scenario, mapping=mapping, on_bad_rows=on_bad_rows, seed=seed,
                chunk_rows=chunk_rows,
            )  # fmt: skip
        else:
            pop = read_population(path, mapping, on_bad_rows, seed=seed)  # type: ignore[arg-type]
            rejected, read = pop.meta.pop("rejected"), pop.meta.pop("rows_read")
            outcome = apply(pop, scenario)
    except (PopulationError, ChunkingError) as exc:
        raise _fail(str(exc)) from None
    outcome.summary["population_file"] = {
        "path": str(path),
        "rows_read": int(read),
        "rows_rejected": len(rejected),
    }
    outcome.rejected_rows = rejected  # written by report.write_outputs beside the outputs
    if len(rejected):
        _report_rejected(rejected, path, read, Path(out) / REJECTED_NAME if out else None)
    return outcome


def _report_rejected(rejected: Any, path: str, read: int, target: Path | None) -> None:
    first = rejected.iloc[0]
    note = f"{path}: {len(rejected):,} of {read:,} rows rejected (row {first['row']}: "
    note += f"{first['reason']})"
    if target is None:
        click.echo(note + f"; use --out DIR to keep them with reasons in {REJECTED_NAME}", err=True)
        return
    click.echo(note + f"; written with reasons to {target}", err=True)
