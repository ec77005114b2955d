"""Tables of a run for people: headline figures and breakdowns, numbers formatted for reading.

The rows are plain strings, so the terminal (:mod:`rich`) and the HTML report show the same
figures the same way.

Examples
--------
>>> count(48161), money(1256688006), money(912000), months(23.44), percent(18.94)
('48,161', '$1.26 billion', '$912,000', '23.4', '18.9%')
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.05), s)
>>> dict(headline_rows(out.summary))["Eligible for a reduction"] == count(out.summary["eligible"])
True
>>> header, rows = breakdown_rows(out, "race")
>>> header[:3], [r[0] for r in rows]
(('race', 'people', 'eligible'), ['white', 'black', 'hispanic', 'other'])
"""

from __future__ import annotations

import math
from typing import Any

from rich import box
from rich.table import Table

#: Breakdowns ``simulate run`` prints and the report shows.
RUN_BREAKDOWNS: tuple[str, ...] = ("drug_type", "race", "category")
BREAKDOWN_TITLES = {
    "drug_type": "By drug type",
    "race": "By race",
    "category": "By criminal history category",
    "sex": "By sex",
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: Any) -> str:
    """A count with thousands separators (``-`` when missing)."""
    return "-" if _missing(value) else f"{round(float(value)):,}"


def months(value: Any) -> str:
    """Months with one decimal (``-`` when missing)."""
    return "-" if _missing(value) else f"{float(value):.1f}"


def percent(value: Any) -> str:
    """A percentage (the value is already in percent) with one decimal."""
    return "-" if _missing(value) else f"{float(value):.1f}%"


def money(value: Any) -> str:
    """Dollars, in millions or billions when large: ``$1.26 billion``, ``$35.2 million``."""
    if _missing(value):
        return "-"
    v = float(value)
    sign, v = ("-" if v < 0 else ""), abs(v)
    if v >= 1e9:
        return f"{sign}${v / 1e9:,.2f} billion"
    if v >= 1e7:
        return f"{sign}${v / 1e6:,.1f} million"
    return f"{sign}${v:,.0f}"


#: Headline figures: summary key, label, formatter.
HEADLINE = (
    ("population", "People in custody on the snapshot date", count),
    ("eligible", "Eligible for a reduction", count),
    ("granted", "Granted", count),
    ("mean_reduction_months", "Mean reduction, months", months),
    ("mean_reduction_pct", "Mean reduction, % of term", percent),
    ("released_first_day", "Released on the first possible day", count),
    ("released_first_year", "Released in the following 12 months", count),
    ("bed_years_saved", "Bed-years saved", count),
    ("cost_saved_usd", "Cost saved", money),
    ("first_release_date", "First possible release", str),
)


def headline_rows(summary: dict) -> list[tuple[str, str]]:
    """(label, formatted value) of each headline figure of a summary."""
    return [(label, fmt(summary[key])) for key, label, fmt in HEADLINE]


BREAKDOWN_COLUMNS = (
    ("population", "people", count),
    ("eligible", "eligible", count),
    ("eligible_pct", "% eligible", percent),
    ("granted", "granted", count),
    ("mean_reduction_months", "mean cut, months", months),
    ("bed_years_saved", "bed-years saved", count),
)


def breakdown_rows(outcome: Any, by: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and formatted rows of a breakdown (``drug_type``, ``race``, ``category``, ``sex``).

    ``outcome`` is an :class:`~simulator.model.outcomes.Outcome` or a chunked one. Groups
    nobody belongs to are left out.
    """
    cols = outcome.breakdown_columns(by)
    header = (by.replace("_", " "), *(label for _, label, _ in BREAKDOWN_COLUMNS))
    rows = [
        (str(group), *(fmt(cols[key][i]) for key, _, fmt in BREAKDOWN_COLUMNS))
        for i, group in enumerate(cols[by])
        if cols["population"][i] > 0
    ]
    return header, rows


def headline_table(summary: dict) -> Table:
    """The headline figures as a :class:`rich.table.Table`."""
    table = Table(show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in headline_rows(summary):
        table.add_row(label, value)
    return table


_TWO_LINES = {
    "% eligible": "%\neligible",
    "mean cut, months": "mean cut\nmonths",
    "bed-years saved": "bed-years\nsaved",
}


def breakdown_table(outcome: Any, by: str) -> Table:
    """A breakdown as a :class:`rich.table.Table`."""
    header, rows = breakdown_rows(outcome, by)
    table = Table(
        title=BREAKDOWN_TITLES.get(by, by),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for i, col in enumerate(header):
        # two-line headers keep the table inside 80 columns
        label = _TWO_LINES.get(col, col)
        table.add_column(label, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in rows:
        table.add_row(*row)
    return table
