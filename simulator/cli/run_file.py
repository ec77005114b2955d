"""``simulate run --population FILE``: the people of a population file instead of synthetic ones.

Loaded by :mod:`simulator.cli.run` only when ``--population`` is given, so a plain run does not
import the file readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from simulator.runs.population_file import REJECTED_NAME, chunk_rows_for, run_file
from simulator.scenario import Scenario


def run_population_file(
    scenario: Scenario,
    path: str,
    *,
    mapping: str | None,
    on_bad_rows: Literal["fail", "skip"],
    seed: int,
    chunk_rows: int | None,
    out: str | None,
) -> Any:
    """Apply ``scenario`` to the people of a population file; say what was left out."""
    rows = chunk_rows_for(scenario, path, chunk_rows)
    if rows and chunk_rows is None:
        click.echo(
            f"{path}: a large file, read {rows:,} rows at a time (--chunk-rows sets "
            "how many; a chunked run writes no people.csv.gz)",
            err=True,
        )
    done = run_file(
        scenario, path, mapping=mapping, on_bad_rows=on_bad_rows, seed=seed, chunk_rows=rows
    )
    if len(done.rejected):
        first = done.rejected.iloc[0]
        note = f"{path}: {len(done.rejected):,} of {done.rows_read:,} rows rejected (row "
        note += f"{first['row']}: {first['reason']})"
        if out is None:
            note += f"; use --out DIR to keep them with reasons in {REJECTED_NAME}"
        else:
            note += f"; written with reasons to {Path(out) / REJECTED_NAME}"
        click.echo(note, err=True)
    return done.outcome
