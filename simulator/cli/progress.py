"""A progress bar with ETA on stderr for the commands that run long.

``simulate run --replicates``, ``report --replicates``, ``sensitivity`` and ``calibrate`` show
one (rich) when stderr is a terminal. The layers below the command line never print: they take
a callback (``progress(done, total)``), and :func:`progress_bar` yields one that advances the bar.

Examples
--------
>>> with progress_bar("runs", 3) as update:  # not a terminal here: no bar, no callback
...     update is None
True
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: The callback a bar yields: ``update(done, total=None, note="")``.
Update = Callable[..., None]


def progress_columns(label: str) -> tuple:
    """The columns of the bar: label, bar, done/total, elapsed, remaining (ETA), a note."""
    return (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
    )


@contextlib.contextmanager
def progress_bar(
    label: str, total: int | None, *, quiet: bool = False, force: bool = False
) -> Iterator[Update | None]:
    """A progress bar on stderr (when it is a terminal, or ``force``); yields its callback.

    The callback takes the number done, optionally the total (as
    :func:`simulator.runs.replicates.run_replicates` and
    :func:`simulator.runs.sensitivity.scenario_sensitivity` call it) and a short note (the
    cost of a fit, say). ``None`` is yielded when there is no bar to show.
    """
    if quiet or not (force or sys.stderr.isatty()):
        yield None
        return
    console = Console(file=sys.stderr, force_terminal=force or None)
    with Progress(*progress_columns(label), console=console, transient=True) as bar:
        job = bar.add_task(label, total=total, note="")

        def update(done: int, n: int | None = None, note: str = "") -> None:
            bar.update(job, completed=done, total=n if n is not None else total, note=note)

        yield update
