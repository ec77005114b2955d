"""``simulate run``: a scenario applied to a synthetic population or to a population file.

With ``--replicates N`` it runs the scenario N times, each on its own population and
assumptions, and reports medians and intervals; with ``--population FILE`` it reads the people
from a file (in chunks for files larger than memory).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from simulator.cli.common import load, progress_bar, run_errors, show
from simulator.cli.options import Fail, json_option, seed_option, sets_option, size_option
from simulator.files import refuse_existing, to_json
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.report.outputs import write_outputs
from simulator.report.plots import plot_paths, write_plots
from simulator.report.replicates import output_paths, replicates_screen, write_replicates
from simulator.report.replicates import to_json as replicates_json
from simulator.report.terminal import run_summary
from simulator.runs.population_file import REJECTED_NAME, chunk_rows_for, run_file
from simulator.runs.replicates import run_replicates
from simulator.scenario import Scenario


@click.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@seed_option
@size_option
@sets_option
@json_option
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Write per-person results, monthly waves and the summary to this directory.",
)
@click.option(
    "--plots",
    type=click.Path(file_okay=False),
    help="Write the plots (PNG and SVG) to this directory.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files in --out and --plots.")
@click.option(
    "--population",
    "population_file",
    type=click.Path(dir_okay=False),
    help="Read the people from a CSV or Parquet file instead of synthesizing them.",
)
@click.option("--mapping", type=click.Path(dir_okay=False), help="Column mapping for --population.")
@click.option(
    "--on-bad-rows",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: stop on any bad row; skip: drop bad rows (written to --out with reasons).",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    help="Read --population this many rows at a time (bounded memory; no people.csv.gz).",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    help="Run N replicates (own population and assumptions each); print medians and intervals.",
)
@click.option("--workers", type=click.IntRange(min=1), default=1, help="Processes for replicates.")
@click.option(
    "--executor",
    type=click.Choice(["serial", "process", "dask"]),
    help="Where replicates run (default: dask with --scheduler, process with --workers > 1).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786.")
@click.option(
    "--interval",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="Central probability of the replicate intervals.",
)
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
def run(
    scenario: str,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
    out: str | None,
    plots: str | None,
    force: bool,
    population_file: str | None,
    mapping: str | None,
    on_bad_rows: str,
    chunk_rows: int | None,
    replicates: int | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    interval: float,
    quiet: bool,
) -> None:
    """Apply SCENARIO to the population and report who is eligible, by how much, and when."""
    sc = load(scenario, sets)
    if replicates and population_file:
        raise Fail("--replicates draws a population per replicate: leave out --population", 2)
    if replicates:
        with run_errors(RuntimeError):
            return _replicates(
                sc, replicates, seed=seed, size=size, workers=workers, executor=executor,
                scheduler=scheduler, interval=interval, quiet=quiet, as_json=as_json, out=out,
                plots=plots, force=force,
            )  # fmt: skip
    check_population_options(population_file, mapping, size, chunk_rows)
    with run_errors():
        if plots:  # refuse before writing anything
            refuse_existing(plot_paths(plots), force)
        if population_file:
            outcome = _population_file(
                sc, population_file, mapping=mapping, on_bad_rows=on_bad_rows,
                seed=sc.seed if seed is None else seed, chunk_rows=chunk_rows, out=out,
            )  # fmt: skip
        else:
            population = synthesize(
                sc.population, seed=sc.seed if seed is None else seed, size=size
            )
            outcome = apply(population, sc)
        if plots and not hasattr(outcome, "reduction"):
            raise Fail("--plots needs the whole population in memory: leave out --chunk-rows", 2)
        if out:
            write_outputs(outcome, Path(out), force=force)
        if plots:
            write_plots(outcome, Path(plots), force=force)
    if as_json:
        click.echo(to_json(outcome.summary))
    else:
        show(run_summary(outcome))


command = run


def check_population_options(
    population_file: str | None, mapping: str | None, size: float | None, chunk_rows: int | None
) -> None:
    """Options that only make sense with (or without) ``--population``: exit 2 otherwise."""
    if population_file is None:
        for name, value in (("--mapping", mapping), ("--chunk-rows", chunk_rows)):
            if value is not None:
                raise Fail(f"{name} needs --population FILE", 2)
    elif size is not None:
        raise Fail("--size scales the synthetic population; it cannot be used with --population", 2)


def _population_file(
    scenario: Scenario,
    path: str,
    *,
    mapping: str | None,
    on_bad_rows: Literal["fail", "skip"],
    seed: int,
    chunk_rows: int | None,
    out: str | None,
) -> Any:
    """Apply ``scenario`` to the people of a population file; say what was left out."""
    rows = chunk_rows_for(scenario, path, chunk_rows)
    if rows and chunk_rows is None:
        click.echo(
            f"{path}: a large file, read {rows:,} rows at a time (--chunk-rows sets "
            "how many; a chunked run writes no people.csv.gz)",
            err=True,
        )
    done = run_file(
        scenario, path, mapping=mapping, on_bad_rows=on_bad_rows, seed=seed, chunk_rows=rows
    )
    if len(done.rejected):
        first = done.rejected.iloc[0]
        note = f"{path}: {len(done.rejected):,} of {done.rows_read:,} rows rejected (row "
        note += f"{first['row']}: {first['reason']})"
        if out is None:
            note += f"; use --out DIR to keep them with reasons in {REJECTED_NAME}"
        else:
            note += f"; written with reasons to {Path(out) / REJECTED_NAME}"
        click.echo(note, err=True)
    return done.outcome


def _replicates(
    scenario: Scenario,
    n: int,
    *,
    seed: int | None,
    size: float | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    interval: float,
    quiet: bool,
    as_json: bool,
    out: str | None,
    plots: str | None,
    force: bool,
) -> None:
    """``simulate run --replicates N``: run, print (table or JSON), write files and plots.

    The plots show the run at the scenario's seed (assumptions at their medians) with the
    replicates' monthly intervals as bands. An output that exists stops everything before any
    work (unless ``force``).
    """
    if out:
        refuse_existing(output_paths(Path(out)), force)
    if plots:
        refuse_existing(plot_paths(plots), force)
    executor = executor or ("dask" if scheduler else "process" if workers > 1 else "serial")
    with progress_bar("replicates", n, quiet=quiet) as progress:
        reps = run_replicates(
            scenario, n, seed=seed, size=size, workers=workers, executor=executor,
            scheduler=scheduler, interval=interval, progress=progress,
        )  # fmt: skip
    if out:
        write_replicates(reps, Path(out), force=force)
    if plots:
        root = scenario.seed if seed is None else seed
        outcome = apply(synthesize(scenario.population, seed=root, size=size), scenario)
        write_plots(outcome, Path(plots), bands=reps.wave_intervals, force=force)
    if as_json:
        click.echo(replicates_json(reps))
    else:
        show(replicates_screen(reps, scenario))
