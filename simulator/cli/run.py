"""``simulate run``: a scenario applied to a synthetic population or to a population file.

With ``--replicates N`` it runs the scenario N times, each on its own population and
assumptions, and reports medians and intervals; with ``--population FILE`` it reads the people
from a file (in chunks for files larger than memory).
"""

from __future__ import annotations

from typing import Any

import click

from simulator.cli.common import load, run_errors, show
from simulator.cli.options import (
    NAMES,
    Fail,
    FiniteRange,
    command_line,
    epilog,
    format_option,
    json_option,
    lock_timeout_option,
    out_option,
    seed_option,
    sets_option,
    size_option,
)
from simulator.files import to_json
from simulator.outputs_folder import Outputs
from simulator.report.outputs import output_files
from simulator.report.plots import plot_files
from simulator.report.terminal import run_summary
from simulator.scenario import Scenario


@click.command("run", epilog=epilog(NAMES))
@click.argument("scenario", type=click.Path(dir_okay=False))
@seed_option
@size_option
@sets_option
@json_option
@out_option("Write per-person results, monthly waves, the summary and meta.json to this folder.")
@format_option
@click.option(
    "--plots",
    type=click.Path(file_okay=False),
    help="Write the plots (PNG and SVG) to this directory.",
)
@click.option("--force", is_flag=True, help="Replace --out and --plots if a run wrote them.")
@lock_timeout_option
@click.option(
    "--population",
    "population_file",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="Read the people from a CSV or Parquet file instead of synthesizing them (with "
    "--mapping ussc: the Sentencing Commission's datafiles, CSV, SAS or SPSS; repeat the "
    "option to stack fiscal years).",
)
@click.option(
    "--mapping",
    metavar="FILE|NAME",
    help="Column mapping for --population: a YAML file, or ussc for the Commission's datafiles.",
)
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
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    help="Processes for replicates, or for the blocks of a --size above 1.",
)
@click.option(
    "--executor",
    type=click.Choice(["serial", "process", "dask"]),
    help="Where replicates run (default: dask with --scheduler, process with --workers > 1).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786.")
@click.option(
    "--interval",
    type=FiniteRange(0, 1, min_open=True, max_open=True),
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
    fmt: str,
    plots: str | None,
    force: bool,
    lock_timeout: float,
    population_file: tuple[str, ...],
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
    population_file = population_file or None
    if replicates and population_file:
        raise Fail("--replicates draws a population per replicate: leave out --population", 2)
    if not replicates:
        check_population_options(population_file, mapping, size, chunk_rows)
    if plots and chunk_rows:
        raise Fail("--plots needs the whole population in memory: leave out --chunk-rows", 2)
    also = (RuntimeError,) if replicates else ()  # a replicate's worker failed
    # the outputs are locked and checked before any work; written whole at the end
    with (
        run_errors(*also),
        Outputs([out, plots], force=force, lock_timeout=lock_timeout) as outputs,
    ):
        if replicates:
            # lazy command loading: the replicate machinery loads only when it is asked for
            from simulator.cli.run_replicates import run_with_replicates

            return run_with_replicates(
                sc, replicates, seed=seed, size=size, workers=workers, executor=executor,
                scheduler=scheduler, interval=interval, quiet=quiet, as_json=as_json, out=out,
                plots=plots, outputs=outputs, fmt=fmt,
            )  # fmt: skip
        seed = sc.seed if seed is None else seed
        if population_file:
            # lazy command loading: the file readers load only when a file is given
            from simulator.cli.run_file import run_population_file

            outcome = run_population_file(
                sc, population_file, mapping=mapping, on_bad_rows=on_bad_rows,
                seed=seed, chunk_rows=chunk_rows, out=out,
            )  # fmt: skip
        else:
            outcome = run_synthetic(sc, seed=seed, size=size, workers=workers, quiet=quiet)
        if plots and not hasattr(outcome, "reduction"):
            raise Fail(
                "--plots needs the whole population in memory: leave out --chunk-rows, or use "
                "a --size of at most 1 (larger ones run in blocks)",
                2,
            )
        if out:
            outputs.add(out, output_files(outcome, fmt=fmt, command=command_line()))
        if plots:
            outputs.add(plots, plot_files(outcome))
        outputs.commit(outcome.summary)
    if as_json:
        click.echo(to_json(outcome.summary))
    else:
        show(run_summary(outcome))


command = run


def run_synthetic(sc: Scenario, *, seed: int, size: float | None, workers: int, quiet: bool) -> Any:
    """The scenario on a synthetic population: whole, or in blocks above one block's size."""
    # lazy command loading: the block machinery loads only for a synthetic population
    from simulator.runs.blocks import block_sizes, run_synthetic, runs_in_blocks

    total = sc.population.size if size is None else size
    if not runs_in_blocks(sc, total):
        return run_synthetic(sc, seed=seed, size=size)
    from simulator.cli.progress import progress_bar  # rich loads only for a run in blocks

    with progress_bar("blocks", len(block_sizes(total)), quiet=quiet) as progress:
        return run_synthetic(sc, seed=seed, size=size, workers=workers, progress=progress)


def check_population_options(
    population_file: tuple[str, ...] | None,
    mapping: str | None,
    size: float | None,
    chunk_rows: int | None,
) -> None:
    """Options that only make sense with (or without) ``--population``: exit 2 otherwise."""
    if population_file is None:
        for name, value in (("--mapping", mapping), ("--chunk-rows", chunk_rows)):
            if value is not None:
                raise Fail(f"{name} needs --population FILE", 2)
    elif size is not None:
        raise Fail("--size scales the synthetic population; it cannot be used with --population", 2)
