"""``simulate validate``: every scenario with published figures, model against published."""

from __future__ import annotations

import click


@click.command("validate")
@click.argument("names", nargs=-1)
@click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True, max=200),
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
    from simulator.cli import _Fail
    from simulator.report import print_validation
    from simulator.validate import validate

    try:
        rows = validate(list(names) or None, size=size)
    except ValueError as exc:
        raise _Fail(f"error: {exc}", 2) from None
    print_validation(rows, notes=notes)
    failed = [r for r in rows if not r.ok]
    if failed:
        raise _Fail(f"{len(failed)} of {len(rows)} figures failed", 1)
