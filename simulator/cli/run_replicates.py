"""``simulate run --replicates N``: the scenario N times, medians and intervals.

Loaded by :mod:`simulator.cli.run` only when ``--replicates`` is given.
"""

from __future__ import annotations

import click

from simulator.cli.common import show
from simulator.cli.options import command_line
from simulator.cli.progress import progress_bar
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.outputs_folder import Outputs
from simulator.report.plots import plot_files
from simulator.report.replicates import replicate_files, replicates_screen
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
    outputs: Outputs,
    fmt: str = "csv",
) -> None:
    """``simulate run --replicates N``: run, print (table or JSON), write files and plots.

    The plots show the run at the scenario's seed (assumptions at their medians) with the
    replicates' monthly intervals as bands. ``outputs`` holds ``out`` and ``plots``, reserved
    before any work.
    """
    executor = executor or ("dask" if scheduler else "process" if workers > 1 else "serial")
    with progress_bar("replicates", n, quiet=quiet) as progress:
        reps = run_replicates(
            scenario, n, seed=seed, size=size, workers=workers, executor=executor,
            scheduler=scheduler, interval=interval, progress=progress,
        )  # fmt: skip
    if out:
        outputs.add(out, replicate_files(reps, scenario, fmt=fmt, command=command_line()))
    if plots:
        root = scenario.seed if seed is None else seed
        outcome = apply(synthesize(scenario.population, seed=root, size=size), scenario)
        outputs.add(plots, plot_files(outcome, bands=reps.wave_intervals))
    outputs.commit(reps.meta)
    if as_json:
        click.echo(replicates_json(reps))
    else:
        show(replicates_screen(reps, scenario))
