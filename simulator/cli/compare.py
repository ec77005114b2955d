"""``simulate compare A B ...``: scenarios side by side, the first as baseline.

The runs share one seed and, where the ``population`` sections agree, the very same people
(:mod:`simulator.runs.compare`). ``--out FILE`` writes the table (plain CSV or Parquet) and,
beside it, ``FILE``'s name with ``.meta.json`` (seed, version, notes, the command line).
"""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import load, show
from simulator.cli.options import (
    NAMES,
    Fail,
    FiniteRange,
    command_line,
    epilog,
    format_option,
    lock_timeout_option,
    out_option,
)
from simulator.files import atomic_write
from simulator.outputs_folder import Outputs, json_file, table_file
from simulator.report.comparison import comparison, comparison_width
from simulator.runs.compare import compare, frame


@click.command("compare", epilog=epilog(NAMES))
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--seed", type=click.IntRange(min=0), help="Seed for all (default: the first's).")
@click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    help="Scale of the synthetic population (default: each scenario's).",
)
@out_option("Also write the comparison to this file (and FILE.meta.json beside it).", folder=False)
@format_option
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@lock_timeout_option
def compare_command(
    scenarios: tuple[str, ...],
    seed: int | None,
    size: float | None,
    out: str | None,
    fmt: str,
    force: bool,
    lock_timeout: float,
) -> None:
    """Run SCENARIOS side by side against the first as baseline, with common random numbers."""
    if len(scenarios) < 2:
        raise Fail("compare needs at least two scenarios", 2)
    loaded = [load(path) for path in scenarios]
    meta = meta_path(Path(out)) if out else None
    with Outputs(files=[out, meta], force=force, lock_timeout=lock_timeout):  # before any work
        rows, notes = compare(loaded, seed=loaded[0].seed if seed is None else seed, size=size)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        show(comparison(rows), width=comparison_width(rows))
        if out and meta:
            s = rows[0]
            about = {"seed": s["seed"], "version": s["version"], "format": fmt,
                     "scenario_files": [r["scenario_file"] for r in rows],
                     "scenario_sha256": [r["scenario_sha256"] for r in rows],
                     "notes": notes, "command": command_line()}  # fmt: skip
            atomic_write(Path(out), table_file(frame(rows), fmt))
            atomic_write(meta, json_file(about))
            click.echo(f"wrote {out} and {meta}", err=True)


def meta_path(out: Path) -> Path:
    """The provenance file beside a comparison: ``cmp.csv`` -> ``cmp.meta.json``.

    Examples
    --------
    >>> meta_path(Path("results/cmp.csv")).as_posix()
    'results/cmp.meta.json'
    """
    return out.with_name(f"{out.stem if out.suffix else out.name}.meta.json")


command = compare_command
