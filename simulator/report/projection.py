"""A projection's outputs: the yearly table on the terminal, and its files.

Examples
--------
>>> import simulator as sim
>>> from simulator.runs.projection import project
>>> s = sim.load_scenario("scenarios/2014_guidelines_prospective.yaml")
>>> items = projection_screen(project(s, size=0.02, years=2))
>>> str(items[0]) == s.title
True
"""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator.files import Writer, to_json
from simulator.outputs_folder import META, json_file, table_file, text_file, write_folder
from simulator.report.outputs import provenance
from simulator.report.tables import count, money
from simulator.report.terminal import footer, title
from simulator.runs.projection import Projection


def projection_files(
    projection: Projection, *, fmt: str = "csv", command: str | None = None
) -> dict[str, Writer]:
    """The monthly and yearly tables, ``projection.json`` and ``meta.json``: name -> writer.

    Tables are plain CSV or, with ``fmt="parquet"``, Parquet; ``meta.json`` holds the
    provenance (:func:`simulator.report.outputs.provenance`) with the command line.
    """
    s = projection.summary
    meta = provenance(s, projection.scenario, fmt=fmt, command=command)
    return {
        f"projection_monthly.{fmt}": table_file(projection.monthly, fmt),
        f"projection_yearly.{fmt}": table_file(projection.yearly, fmt),
        "projection.json": text_file(to_json(s) + "\n"),
        META: json_file(meta),
    }


def write_projection(
    projection: Projection, directory: Path, *, force: bool = False, fmt: str = "csv"
) -> list:
    """Write the files of :func:`projection_files` as one output folder; returns their paths.

    Raises :class:`~simulator.errors.OutputExistsError` (before writing anything) if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    files = projection_files(projection, fmt=fmt)
    return write_folder(directory, files, projection.summary, force=force)


#: Columns of the yearly table, on the terminal and in the HTML report.
YEARLY_HEADER = ("year", "to", "baseline", "reform", "difference", "bed-years saved",
                 "cost saved", "admitted", "released, baseline", "released, reform")  # fmt: skip


def yearly_rows(summary: dict) -> list[tuple[str, ...]]:
    """The rows of the yearly table, figures formatted for reading (see :data:`YEARLY_HEADER`)."""
    return [
        (str(r["year"]), r["month"], count(r["baseline"]), count(r["reform"]),
         f"{r['difference']:+,}", count(r["bed_years_saved_cumulative"]),
         money(r["cost_saved_cumulative_usd"]), count(r["admissions_reform"]),
         count(r["releases_baseline"]), count(r["releases_reform"]))
        for r in summary["yearly"]
    ]  # fmt: skip


def projection_screen(projection: Projection) -> list[RenderableType]:
    """The yearly table and the totals (``simulate project``)."""
    s = projection.summary
    t = Table(
        title=f"Population in custody from {s['start']} ({count(s['opening_population'])} "
        "people), at the end of each year",
        title_justify="left",
    )
    for col in YEARLY_HEADER:
        t.add_column(col, justify="left" if col in ("year", "to") else "right", no_wrap=True)
    for row in yearly_rows(s):
        t.add_row(*row)
    five = s["difference_after_5_years"]
    last = s["yearly"][-1]
    totals = (
        f"After {s['years']} years: {count(last['bed_years_saved_cumulative'])} bed-years saved "
        f"({money(last['cost_saved_cumulative_usd'])})"
        + (f"; difference after five years {five:+,}" if five is not None else "")
    )
    return [title(s["scenario"]), t, Text(totals), footer(s)]


#: The narrowest terminal the yearly table fits in.
PROJECTION_WIDTH = 150
