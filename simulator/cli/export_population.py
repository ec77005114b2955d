"""``simulate export-population``: the synthetic population as a population file.

It writes the population-file schema, the same file ``simulate run --population`` reads back,
exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from simulator.cli.options import Fail, FiniteRange, epilog, lock_timeout_option, out_option
from simulator.inputs.population_files import write_population
from simulator.inputs.synthesis import synthesize
from simulator.outputs_folder import Outputs
from simulator.scenario import PopulationSpec


@click.command("export-population", epilog=epilog())
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the synthetic population.")  # fmt: skip
@click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    default=1.0,
    show_default=True,
    help="Scale (1 = the calibrated ~100,000 people).",
)
@click.option(
    "--snapshot",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The stock in custody on this day, 2000-01-01..2025-12-31 (default: 2014-11-01).",
)
@out_option("File to write: .parquet, .csv or .csv.gz (required).", folder=False, alias="--output")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@lock_timeout_option
def export_population_command(
    seed: int,
    size: float,
    snapshot: dt.datetime | None,
    out: str | None,
    force: bool,
    lock_timeout: float,
) -> None:
    """Write the synthetic population as a population file (the schema --population reads)."""
    if not out:
        raise click.UsageError("Missing option '-o' / '--out'.")
    path = Path(out)
    if path.suffix.lower() not in (".parquet", ".pq", ".csv", ".gz"):
        raise Fail(f"{out}: the file name must end in .parquet, .csv or .csv.gz", 2)
    if snapshot is not None and not dt.date(2000, 1, 1) <= snapshot.date() <= dt.date(2025, 12, 31):
        raise Fail(f"--snapshot {snapshot.date()}: must be from 2000-01-01 to 2025-12-31", 2)
    with Outputs(files=[path], force=force, lock_timeout=lock_timeout):  # before any work
        spec = PopulationSpec(snapshot=snapshot.date() if snapshot else None, size=size)
        pop = synthesize(spec, seed=seed)
        try:
            write_population(pop, path, force=force)
        except OSError as exc:
            raise Fail(f"error: {path}: {exc.strerror or exc}", 1) from None
    click.echo(f"wrote {path} ({len(pop):,} people, seed {seed}, size {size:g})", err=True)


command = export_population_command
