"""What the terminal shows: the tables of a run, of a fit and of the checks.

Each function returns the things to print, in order (rich renderables); the command line
prints them. Nothing here writes to the terminal itself.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s)
>>> items = run_summary(out)
>>> str(items[0]) == s.title, str(items[-1]).startswith("seed 1 ·")
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator import lazy
from simulator.report.tables import RUN_BREAKDOWNS, breakdown_table, headline_table

if TYPE_CHECKING:
    from simulator.runs.published import Row

pd = lazy.module("pandas")


def title(text: str) -> Text:
    """A title line (bold, printed as written)."""
    return Text(text, style="bold")


def footer(summary: dict) -> Text:
    """The provenance line under a run: seed, scenario hash, version."""
    return Text(
        f"seed {summary['seed']} · scenario {summary['scenario_sha256'][:12]} · simulator "
        f"{summary['version']}",
        style="dim",
    )


def run_summary(outcome: Any) -> list[RenderableType]:
    """Headline table and breakdowns by drug type, race and category, and the run's details."""
    s = outcome.summary
    items: list[RenderableType] = [title(outcome.scenario.title), headline_table(s)]
    items += [breakdown_table(outcome, by) for by in RUN_BREAKDOWNS]
    return [*items, *details(s), footer(s)]


def details(s: dict) -> list[Table]:
    """Figures of some change types: eligibility per change, clemency criteria and flow."""
    items = []
    if "by_change" in s:
        t = Table(title="Each change alone", title_justify="left")
        for col in ("change", "eligible", "granted", "mean reduction months"):
            t.add_column(col, justify="left" if col == "change" else "right")
        for row in s["by_change"]:
            t.add_row(
                row["change"],
                f"{row['eligible']:,}",
                f"{row['granted']:,}",
                f"{row['mean_reduction_months']:.1f}",
            )
        items.append(t)
    if "clemency" in s:
        c = s["clemency"]
        t = Table(title="Clemency: people in custody meeting each criterion", title_justify="left")
        t.add_column("criterion")
        t.add_column("people", justify="right")
        for name, n in c["criteria"].items():
            t.add_row(name.replace("_", " "), f"{n:,}")
        rows = (
            ("all of them", "met_all"),
            ("petitions", "petitions"),
            ("decided", "decided"),
            ("decided, meeting all", "decided_met_all"),
            ("granted", "granted"),
            ("granted, serving life", "granted_life"),
        )
        for label, key in rows:
            t.add_row(label, f"{c[key]:,}", style="bold" if key == "met_all" else None)
        items.append(t)
        years = sorted(set(c["decisions_by_year"]) | set(c["releases_by_year"]))
        t = Table(title="Clemency over time", title_justify="left")
        for col in ("year", "decisions", "grants", "releases"):
            t.add_column(col, justify="left" if col == "year" else "right")
        for y in years:
            t.add_row(
                y,
                *(f"{c[k].get(y, 0):,}" for k in ("decisions_by_year", "grants_by_year",
                                                  "releases_by_year")),
            )  # fmt: skip
        items.append(t)
        if c.get("backlog_by_month"):
            items.append(clemency_year_ends(c))
    return items


def clemency_year_ends(c: dict) -> Table:
    """Petitions pending and grants so far at each December's end and the last month.

    ``c`` is a summary's ``clemency`` figures (``backlog_by_month``, ``grants_by_month``).

    Examples
    --------
    >>> c = {"backlog_by_month": {"2014-11": 9, "2014-12": 7, "2015-01": 4},
    ...      "grants_by_month": {"2014-11": 1, "2014-12": 2, "2015-01": 5}}
    >>> list(clemency_year_ends(c).columns[0].cells)
    ['2014-12', '2015-01']
    """
    backlog, grants = c["backlog_by_month"], c["grants_by_month"]
    months = list(backlog)
    ends = [m for m in months[:-1] if m.endswith("-12")] + months[-1:]
    t = Table(title="Clemency at each year's end", title_justify="left")
    for col in ("month", "backlog", "grants so far"):
        t.add_column(col, justify="left" if col == "month" else "right")
    for m in ends:
        t.add_row(m, f"{backlog[m]:,}", f"{grants[m]:,}")
    return t


def calibration_table(table: pd.DataFrame) -> Table:
    """Model against published marginals (``simulate calibrate``)."""
    t = Table(title="Calibration: model vs published", title_justify="left")
    for col in ("figure", "model", "published", "tolerance", "ok"):
        t.add_column(col, justify="left" if col == "figure" else "right")
    for row in table.itertuples(index=False):
        tol = f"±{row.tolerance:.0%}" if row.relative else f"±{row.tolerance:.2f}"
        t.add_row(
            row.figure, f"{row.model:,.3f}", f"{row.published:,.3f}", tol, "yes" if row.ok else "NO"
        )
    return t


def validation(rows: list[Row], *, notes: bool = False) -> list[RenderableType]:
    """Scenarios against published figures (``simulate validate``), and the known gaps' notes.

    Fitted figures (in sample) and checks (out of sample) are shown in separate tables.
    """
    items: list[RenderableType] = []
    for role, title in (
        ("fitted", "Fitted figures (in sample)"),
        ("check", "Checks (out of sample)"),
    ):
        group = [r for r in rows if r.role == role]
        if group:
            items.append(_validation_table(group, title))
    if notes:
        items += [
            Text.assemble((f"{r.scenario} {r.figure}", "bold"), ": ", r.note)
            for r in rows
            if r.note
        ]
    return items


def _validation_table(rows: list[Row], title: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("scenario", "figure", "model", "published", "tolerance", "status", "source"):
        justify = "right" if col in ("model", "published") else "left"
        t.add_column(col, justify=justify, overflow="fold")
    for r in rows:
        fmt = "{:,.0f}" if abs(r.published) >= 100 else "{:,.2f}"
        style = None if r.ok else "bold red"
        t.add_row(
            r.scenario,
            r.figure,
            fmt.format(r.model),
            fmt.format(r.published),
            r.tolerance,
            r.status,
            r.source,
            style=style,
        )
    return t
