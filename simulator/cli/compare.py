"""``simulate compare A.yaml B.yaml ...``: scenarios side by side, the first as baseline.

The runs share one seed and, where the ``population`` sections agree, the very same people
(:mod:`simulator.runs.compare`).
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import load, show
from simulator.cli.options import Fail, FiniteRange, lock_timeout_option
from simulator.files import atomic_write_text
from simulator.outputs_folder import Outputs
from simulator.report.comparison import comparison, comparison_width
from simulator.runs.compare import compare, frame


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--seed", type=click.IntRange(min=0), help="Seed for all (default: the first's).")
@click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    help="Scale of the synthetic population (default: each scenario's).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Also write the comparison as CSV here."
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@lock_timeout_option
def compare_command(
    scenarios: tuple[str, ...],
    seed: int | None,
    size: float | None,
    out: str | None,
    force: bool,
    lock_timeout: float,
) -> None:
    """Run SCENARIOS side by side against the first as baseline, with common random numbers."""
    if len(scenarios) < 2:
        raise Fail("compare needs at least two scenarios", 2)
    loaded = [load(path) for path in scenarios]
    with Outputs(files=[out], force=force, lock_timeout=lock_timeout):  # before any work
        rows, notes = compare(loaded, seed=loaded[0].seed if seed is None else seed, size=size)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        show(comparison(rows), width=comparison_width(rows))
        if out:
            df = frame(rows)
            s = rows[0]
            header = f"# seed: {s['seed']}\n# version: {s['version']}\n" + "".join(
                f"# note: {n}\n" for n in notes
            )
            atomic_write_text(Path(out), header + df.to_csv(index=False))
            click.echo(f"wrote {out}", err=True)


command = compare_command
