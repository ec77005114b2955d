"""A progress bar on stderr for the commands that run long (replicates)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn


@contextlib.contextmanager
def progress_bar(label: str, total: int, *, quiet: bool = False) -> Iterator[Any]:
    """A progress bar on stderr (when it is a terminal); yields the callback to advance it.

    The callback takes the number done and the total, as
    :func:`simulator.runs.replicates.run_replicates` calls it.
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = (label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        job = bar.add_task(label, total=total)
        yield lambda done, n: bar.update(job, completed=done, total=n)
