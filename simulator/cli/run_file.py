"""``simulate run --population FILE``: the people of a population file instead of synthetic ones.

Loaded by :mod:`simulator.cli.run` only when ``--population`` is given, so a plain run does not
import the file readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from simulator.cli.common import show
from simulator.errors import PopulationError
from simulator.report.agreement import agreement_table
from simulator.runs.population_file import REJECTED_NAME, chunk_rows_for, is_codebook, run_file
from simulator.scenario import Scenario


def run_population_file(
    scenario: Scenario,
    paths: tuple[str, ...],
    *,
    mapping: str | None,
    on_bad_rows: Literal["fail", "skip"],
    seed: int,
    chunk_rows: int | None,
    out: str | None,
) -> Any:
    """Apply ``scenario`` to the people of a population file; say what was left out.

    With a codebook mapping (``--mapping ussc``) the files are datafiles, stacked, and the
    agreement report goes to stderr.
    """
    path = ", ".join(paths)
    datafiles = is_codebook(mapping)
    if len(paths) > 1 and not datafiles:
        raise PopulationError(
            f"{path}: several --population files are read together only as datafiles "
            "(--mapping ussc)"
        )
    rows = None if datafiles else chunk_rows_for(scenario, paths[0], chunk_rows)
    if rows and chunk_rows is None:
        click.echo(
            f"{path}: a large file, read {rows:,} rows at a time (--chunk-rows sets "
            "how many; a chunked run writes no people.csv.gz)",
            err=True,
        )
    done = run_file(
        scenario, list(paths) if datafiles else paths[0], mapping=mapping,
        on_bad_rows=on_bad_rows, seed=seed, chunk_rows=chunk_rows if datafiles else rows,
    )  # fmt: skip
    if datafiles:
        show([agreement_table(done.outcome.summary["agreement"])], stderr=True)
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
