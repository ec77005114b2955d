"""Scenarios side by side on the terminal (``simulate compare``).

Examples
--------
>>> rows = [{"scenario_file": "a.yaml", "seed": 1, "version": "0", "scenario_sha256": "x" * 64,
...          **{key: 10.0 for key, _ in FIGURES}}] * 2
>>> table, line = comparison(rows)
>>> table.row_count, str(line).startswith("seed 1")
(8, True)
"""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator.report.tables import count, money, months
from simulator.runs.compare import FIGURES


def _compared(key: str, value: float, *, delta: bool = False) -> str:
    text = {"cost_saved_usd": money, "mean_reduction_months": months}.get(key, count)(value)
    if delta:
        return text if text.startswith("-") else f"+{text}"
    return text


def comparison(rows: list[dict]) -> list[RenderableType]:
    """Scenarios side by side (``simulate compare``); after the first, the difference from it."""
    table = Table(title="Scenarios compared (differences from the first)", title_justify="left")
    table.add_column("figure", no_wrap=True)
    for i, r in enumerate(rows):
        name = Path(r["scenario_file"] or f"scenario {i + 1}").stem
        table.add_column(f"{name}\n(baseline)" if i == 0 else name, justify="right")
    for key, label in FIGURES:
        cells = []
        for i, r in enumerate(rows):
            text = _compared(key, r[key])
            if i:
                text += f"\n({_compared(key, r[key] - rows[0][key], delta=True)})"
            cells.append(text)
        table.add_row(label, *cells)
    s = rows[0]
    scenarios = ", ".join(r["scenario_sha256"][:12] for r in rows)
    return [table, Text(f"seed {s['seed']} · simulator {s['version']} · scenarios {scenarios}",
                        style="dim")]  # fmt: skip


def comparison_width(rows: list[dict]) -> int:
    """Terminal width that fits a comparison of ``rows`` scenarios."""
    return max(100, 30 + 24 * len(rows))
