"""``simulate validate``: every scenario with published figures, model against published."""

from __future__ import annotations

import click

from simulator.cli.common import show
from simulator.cli.options import Fail, FiniteRange, epilog
from simulator.report.terminal import validation
from simulator.runs.published import validate


@click.command("validate", epilog=epilog("Exit 1 also when a figure is outside its tolerance."))
@click.argument("names", nargs=-1)
@click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    default=1.0,
    show_default=True,
    help="Scale of the synthetic populations (counts are compared per unit scale).",
)
@click.option("--notes", is_flag=True, help="Print the explanation of every known gap.")
def validate_command(names: tuple[str, ...], size: float, notes: bool) -> None:
    """Run the scenarios with published figures (data/targets/) and compare.

    NAMES limits the run to some scenarios (target file names, e.g. 2014_guidelines). Exits 1
    when a figure is outside its tolerance or a documented gap has moved.
    """
    try:
        rows = validate(list(names) or None, size=size)
    except ValueError as exc:
        raise Fail(f"error: {exc}", 2) from None
    show(validation(rows, notes=notes), width=200)
    failed = [r for r in rows if not r.ok]
    if failed:
        raise Fail(f"{len(failed)} of {len(rows)} figures failed", 1)


command = validate_command
