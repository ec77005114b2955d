"""``simulate calibrate``: fit the population generator and save the parameters it found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from simulator.cli.common import show
from simulator.cli.options import FiniteRange, epilog, lock_timeout_option, out_option
from simulator.cli.progress import progress_bar
from simulator.inputs import calibration
from simulator.outputs_folder import Outputs
from simulator.report.terminal import calibration_table


@click.command("calibrate", epilog=epilog())
@click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    default=1.0,
    show_default=True,
    help="Scale of the population the fit runs on.",
)
@out_option(
    "Where to write the fitted parameters (default: the committed data/calibration file).",
    folder=False,
    alias="--output",
)
@click.option(
    "--max-evals",
    type=click.IntRange(min=1),
    default=400,
    show_default=True,
    help="Optimizer budget. Generator fit: evaluations of the least-squares cost (the "
    "numerical Jacobian's population builds, one per fitted parameter, come on top); "
    "--court or --clemency: runs of the scenario in all, restarts included.",
)
@click.option(
    "--court",
    is_flag=True,
    help="Fit the courts' motion process of the 2014 amendment instead "
    "(data/calibration/court_process_2014.yaml).",
)
@click.option(
    "--clemency",
    type=click.Choice(["2014", "2025"]),
    is_flag=False,
    flag_value="2014",
    default=None,
    help="Fit a clemency scenario's selection score instead: 2014 (the default when no year "
    "is given: the Clemency Initiative) or 2025 (the January 2025 commutations); "
    "data/calibration/clemency_<year>.yaml.",
)
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@lock_timeout_option
def calibrate(
    size: float,
    out: str | None,
    max_evals: int,
    court: bool,
    clemency: str | None,
    quiet: bool,
    force: bool,
    lock_timeout: float,
) -> None:
    """Fit the population generator to the published 2014 marginals and save the parameters.

    With --court, fit the courts' process of the 2014 amendment to the published decision
    counts instead, and save its values; with --clemency, the 2014 Clemency Initiative's
    selection score, review capacity from 2016 and batch shares to its published figures
    (--clemency 2025: the January 2025 commutations' selection intercept to the nearly 2,500
    granted).
    """
    if court and clemency is not None:
        raise click.UsageError("--court and --clemency are two fits: give one")
    # --out is locked and checked before any work (the committed default is rewritten)
    with Outputs(files=[out], force=force, lock_timeout=lock_timeout):
        if court:
            _calibrate_process(size, out, max_evals, quiet, "court", {})
        elif clemency is not None:
            _calibrate_process(size, out, max_evals, quiet, "clemency", {"year": clemency})
        else:
            _calibrate(size, out, max_evals, quiet)


def _calibrate_process(
    size: float, output: str | None, max_evals: int, quiet: bool, which: str, extra: dict
) -> None:
    # lazy command loading: the process fits load only when one is asked for
    import importlib

    fitter = importlib.import_module(f"simulator.inputs.{which}_fit")

    with progress_bar(f"calibrate --{which}: runs", max_evals, quiet=quiet) as update:
        progress = _with_cost(update)
        result = fitter.fit(size=size, max_evals=max_evals, progress=progress, **extra)
    path = fitter.save(result, Path(output) if output else None, **extra)
    for row in result.rows:
        click.echo(
            f"{row['figure']}: model {row['model']:.4g}, published {row['published']:.4g}, "
            f"miss {row['miss']:+.2f} tolerances"
        )
    click.echo(f"wrote {path} ({result.evaluations} runs, cost {result.cost:.3f})")


def _calibrate(size: float, output: str | None, max_evals: int, quiet: bool) -> None:
    # at most max_evals costs, each with a Jacobian of one build per fitted parameter
    builds = max_evals * (len(calibration.load_parameters().fitted) + 1)
    with progress_bar("calibrate: builds (at most)", builds, quiet=quiet) as update:
        result = calibration.fit(size=size, max_evals=max_evals, progress=_with_cost(update))
    if not quiet:
        click.echo(f"calibrate: {result.message}", err=True)
    path = calibration.save(result, Path(output) if output else None)
    show([calibration_table(result.table)])
    click.echo(f"wrote {path} ({result.evaluations} population builds, cost {result.cost:.3f})")


def _with_cost(update: Callable[..., None] | None) -> Callable[[int, float], None] | None:
    """A fit's ``progress(evaluations, cost)`` as a bar's update, the cost as its note."""
    if update is None:
        return None
    return lambda evals, cost: update(evals, note=f"cost {cost:.3f}")


command = calibrate
