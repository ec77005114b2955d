"""``simulate report SCENARIO -o report.html``: one self-contained HTML report of a run."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import load
from simulator.cli.options import (
    NAMES,
    Fail,
    epilog,
    lock_timeout_option,
    out_option,
    seed_option,
    sets_option,
    size_option,
)
from simulator.cli.progress import progress_bar
from simulator.files import atomic_write_text
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.model.outcomes import Outcome
from simulator.outputs_folder import Outputs
from simulator.report.html import build_report
from simulator.runs.published import calibration_rows, population_for
from simulator.runs.replicates import run_replicates
from simulator.scenario import Scenario


@click.command("report", epilog=epilog(NAMES))
@click.argument("scenario", type=click.Path(dir_okay=False))
@out_option("Where to write the report.", folder=False, default="report.html", alias="--output")
@seed_option
@size_option
@sets_option
@click.option("--force", is_flag=True, help="Overwrite the output if it exists.")
@lock_timeout_option
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    help="Run N replicates and draw their monthly intervals as bands on the releases plot.",
)
@click.option("--workers", type=click.IntRange(min=1), default=1, help="Processes for replicates.")
def report_command(
    scenario: str,
    out: str,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    force: bool,
    lock_timeout: float,
    replicates: int | None,
    workers: int,
) -> None:
    """Write one HTML file (inline SVG, no network, no script) about a run of SCENARIO.

    It holds what the scenario changes and assumes, the headline figures, plots, breakdowns,
    the model against published figures (when data/targets has them) and provenance.
    """
    sc = load(scenario, sets)
    path = Path(out)
    with Outputs(files=[path], force=force, lock_timeout=lock_timeout):  # before any work
        page, outcome = _page(sc, seed, size, replicates, workers)
        try:
            atomic_write_text(path, page)
        except OSError as exc:
            raise Fail(f"error: {path}: {exc.strerror}") from None
    s = outcome.summary
    click.echo(
        f"wrote {path} ({len(page) / 1024:,.0f} KiB; eligible {s['eligible']:,}, "
        f"seed {s['seed']}, scenario {s['scenario_sha256'][:12]})",
        err=True,
    )


def _page(
    sc: Scenario, seed: int | None, size: float | None, replicates: int | None, workers: int
) -> tuple[str, Outcome]:
    """The HTML page of a run of ``sc``, and the run."""
    cal_size = size if size is not None else sc.population.size
    if seed is None or seed == sc.seed:  # the calibration below reuses this population
        pop = population_for(sc, cal_size)
    else:
        pop = synthesize(sc.population, seed=seed, size=size)
    outcome = apply(pop, sc)
    rows = calibration_rows(sc, cal_size)
    bands = None
    if replicates:
        executor = "process" if workers > 1 else "serial"
        with progress_bar("replicates", replicates) as progress:
            reps = run_replicates(sc, replicates, seed=seed, size=size, workers=workers,
                                  executor=executor, progress=progress)  # fmt: skip
        bands = reps.wave_intervals
    page = build_report(outcome, calibration=rows, calibration_size=cal_size, bands=bands)
    return page, outcome


command = report_command
