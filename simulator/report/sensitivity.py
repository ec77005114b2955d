"""Sensitivity indices on the terminal: one ranking of the assumptions per figure.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame([("granted", "grant.rate", 0.9, 0.8, 1.0, 0.95, 0.9, 1.0)],
...                  columns=["output", "assumption", "first_order", "first_lo", "first_hi",
...                           "total_order", "total_lo", "total_hi"])
>>> [type(i).__name__ for i in sensitivity_screen(t, "A scenario", 0.95, "seed 1")]
['Text', 'Table', 'Text']
"""

from __future__ import annotations

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator import lazy
from simulator.report.terminal import title

pd = lazy.module("pandas")


def _ci(v: float, lo: float, hi: float) -> str:
    if v != v:  # NaN: the figure does not vary
        return "does not vary"
    return f"{v:.2f} ({lo:.2f}–{hi:.2f})"


def sensitivity_screen(
    table: pd.DataFrame, heading: str, confidence: float, footer: str
) -> list[RenderableType]:
    """One ranking per output: assumptions by total index, with bootstrap intervals."""
    items: list[RenderableType] = [title(heading)]
    pct = f"{100 * confidence:g}%"
    for output, rows in table.groupby("output", sort=False):
        t = Table(title=f"{output}: Sobol indices ({pct} bootstrap interval)",
                  title_justify="left", box=box.SIMPLE_HEAD)  # fmt: skip
        for name, just in [("rank", "right"), ("assumption", "left"), ("first order", "right"),
                           ("total", "right")]:  # fmt: skip
            t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
        for rank, r in enumerate(rows.itertuples(), 1):
            t.add_row(
                str(rank) if r.total_order == r.total_order else "",
                r.assumption,
                _ci(r.first_order, r.first_lo, r.first_hi),
                _ci(r.total_order, r.total_lo, r.total_hi),
            )
        items.append(t)
    return [*items, Text(footer, style="dim")]
