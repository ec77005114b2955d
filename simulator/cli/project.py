"""``simulate project``: the population in custody month by month, baseline against reform."""

from __future__ import annotations

import click
from rich.console import Console

from simulator.cli.common import load, run_errors, show
from simulator.cli.options import (
    NAMES,
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
from simulator.report.plots import projection_plot_files
from simulator.report.projection import PROJECTION_WIDTH, projection_files, projection_screen
from simulator.runs.projection import project


@click.command("project", epilog=epilog(NAMES))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--years",
    type=click.IntRange(min=1, max=30),
    help="Horizon in years (default: the scenario's projection.years, or 10).",
)
@seed_option
@size_option
@sets_option
@json_option
@out_option("Write the monthly and yearly tables, projection.json and meta.json to this folder.")
@format_option
@click.option(
    "--plots", type=click.Path(file_okay=False), help="Write the projection plot (PNG and SVG)."
)
@click.option("--force", is_flag=True, help="Replace --out and --plots if a run wrote them.")
@lock_timeout_option
def project_command(
    scenario: str,
    years: int | None,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
    out: str | None,
    fmt: str,
    plots: str | None,
    force: bool,
    lock_timeout: float,
) -> None:
    """Project the population in custody month by month under SCENARIO against a baseline.

    New cases enter from the yearly admission cohorts after the snapshot; each change applies to
    people already sentenced, to new cases, or both (its ``applies`` key).
    """
    sc = load(scenario, sets)
    # the outputs are locked and checked before any work; written whole at the end
    with run_errors(), Outputs([out, plots], force=force, lock_timeout=lock_timeout) as outputs:
        proj = project(sc, seed=seed, size=size, years=years)
        if out:
            outputs.add(out, projection_files(proj, fmt=fmt, command=command_line()))
        if plots:
            outputs.add(plots, projection_plot_files(proj))
        outputs.commit(proj.summary)
    if as_json:
        click.echo(to_json(proj.summary))
    else:
        show(projection_screen(proj), width=max(Console().width, PROJECTION_WIDTH))


command = project_command
