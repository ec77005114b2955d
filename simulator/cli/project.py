"""``simulate project``: the population in custody month by month, baseline against reform."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from simulator.cli.common import load, run_errors, show
from simulator.cli.options import json_option, seed_option, sets_option, size_option
from simulator.files import refuse_existing, to_json
from simulator.report.plots import PROJECTION_PLOTS, plot_paths, write_projection_plots
from simulator.report.projection import (
    OUT_FILES,
    PROJECTION_WIDTH,
    projection_screen,
    write_projection,
)
from simulator.runs.projection import project


@click.command("project")
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
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Write the monthly and yearly CSVs and projection.json to this directory.",
)
@click.option(
    "--plots", type=click.Path(file_okay=False), help="Write the projection plot (PNG and SVG)."
)
@click.option("--force", is_flag=True, help="Overwrite existing files in --out and --plots.")
def project_command(
    scenario: str,
    years: int | None,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
    out: str | None,
    plots: str | None,
    force: bool,
) -> None:
    """Project the population in custody month by month under SCENARIO against a baseline.

    New cases enter from the yearly admission cohorts after the snapshot; each change applies to
    people already sentenced, to new cases, or both (its ``applies`` key).
    """
    sc = load(scenario, sets)
    # an output that exists (without --force) stops the command before any work
    refuse_existing([Path(out) / n for n in OUT_FILES] if out else [], force)
    refuse_existing(plot_paths(plots, PROJECTION_PLOTS) if plots else [], force)
    with run_errors():
        proj = project(sc, seed=seed, size=size, years=years)
        if out:
            write_projection(proj, Path(out), force=force)
        if plots:
            write_projection_plots(proj, Path(plots), force=force)
    if as_json:
        click.echo(to_json(proj.summary))
    else:
        show(projection_screen(proj), width=max(Console().width, PROJECTION_WIDTH))


command = project_command
