"""A person's worksheet on the terminal: facts, guideline steps, eligibility rules, result.

Examples
--------
>>> import simulator as sim
>>> from simulator.runs.worksheet import worksheet
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s)
>>> str(worksheet_screen(worksheet(out, 0))[0]).startswith("Worksheet: person 0")
True
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator.report.terminal import title
from simulator.runs.worksheet import Worksheet

#: The terminal width the worksheet is laid out for.
WORKSHEET_WIDTH = 110


def worksheet_screen(ws: Worksheet) -> list[RenderableType]:
    """The worksheet's tables (``simulate explain`` and ``simulate screen``)."""
    items: list[RenderableType] = [title(f"Worksheet: person {ws.person_id} under {ws.scenario}")]
    items.append(_pairs("Case facts", "fact", ws.facts))
    t = Table(title="Guideline calculation", title_justify="left")
    for col in ("step", "at sentencing", "under the change", "note"):
        t.add_column(col, justify="right" if col.startswith(("at", "under")) else "left")
    for row in ws.guideline:
        t.add_row(*row)
    items.append(t)
    t = Table(title="Eligibility", title_justify="left")
    for col in ("rule", "met", "figures"):
        t.add_column(col)
    for rule, ok, detail in ws.eligibility:
        t.add_row(rule, "yes" if ok else "NO", detail, style=None if ok else "bold red")
    items.append(t)
    items.append(Text(f"Decided by: {ws.decided_by}"))
    items.append(_pairs("Result", "figure", ws.result))
    return items


def _pairs(heading: str, what: str, rows: list[tuple[str, str]]) -> Table:
    """A table of names and values, without a header."""
    t = Table(title=heading, title_justify="left", show_header=False)
    t.add_column(what)
    t.add_column("value")
    for k, v in rows:
        t.add_row(k, v)
    return t
