"""``simulate run --replicates N``: the scenario N times, medians and intervals.

Loaded by :mod:`simulator.cli.run` only when ``--replicates`` is given.
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import show
from simulator.cli.progress import progress_bar
from simulator.files import refuse_existing
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.report.plots import plot_paths, write_plots
from simulator.report.replicates import output_paths, replicates_screen, write_replicates
from simulator.report.replicates import to_json as replicates_json
from simulator.runs.replicates import run_replicates
from simulator.scenario import Scenario


def run_with_replicates(
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
