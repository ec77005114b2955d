"""The agreement report of a run on datafiles: how far to trust the people read from them.

One table says what became of the rows (read, without a prison term, rejected, valid, in
custody on the snapshot) and how many of the valid cases the engine's offense level and range
reproduce; a second lists the reasons for the rest. The same figures are the ``agreement`` of
the run's summary (and ``--json``), and ``agreement.csv`` in ``--out``.

Examples
--------
>>> s = {"cases": 10, "compared": 8, "level_agrees": 7, "range_agrees": 6, "both_agree": 6,
...      "both_agree_share": 0.75, "not_compared": {}, "disagreements": {"x": 2},
...      "rows": {"rows_read": 12, "valid": 10}, "rejected_by_reason": {}}
>>> agreement_rows(s)[0]
('measure', 'count', 'share')
>>> agreement_rows(s)[-1]
('disagrees: x', '2', '')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from simulator import lazy
from simulator.files import Writer
from simulator.outputs_folder import table_file
from simulator.report.tables import count

if TYPE_CHECKING:
    from rich.console import RenderableType

pd = lazy.module("pandas")
# rich only when the table is drawn: this module is on every run's path (its file writer)
rich_box = lazy.module("rich.box")
rich_table = lazy.module("rich.table")

#: The reading's steps, as the report names them.
STEPS = {
    "rows_read": "rows read",
    "not_imprisoned": "no prison term (probation alone, or 0 months): left out",
    "rejected": "rejected by the row checks",
    "valid": "valid cases",
    "custody_start_assumed": "custody start unknown: taken as the sentencing date",
    "tier_from_quantity": "minimum read as the 5-year tier with priors (the quantity's tier)",
    "several_drugs": "several drugs: the two largest grouped, any more added to the first",
    "drug_left_out": "a drug the engine does not score left out of the weight",
    "converted_weight_from_file": "quantity from the file's converted weight",
    "sentenced_after_snapshot": "sentenced after the snapshot: left out",
    "reduced_by_earlier_amendments": "terms reduced by earlier retroactive amendments",
    "in_custody": "in custody on the snapshot: the population",
}


def agreement_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The report's rows: a header, then (measure, count, share of the cases compared)."""

    def share(x: Any) -> str:
        return "" if x is None else f"{100 * float(x):.1f}%"

    rows = [("measure", "count", "share")]
    rows += [(STEPS.get(k, k), count(v), "") for k, v in summary["rows"].items()]
    rows += [(f"rejected: {k}", count(v), "") for k, v in summary["rejected_by_reason"].items()]
    rows += [(f"not compared: {k}", count(v), "") for k, v in summary["not_compared"].items()]
    rows += [
        ("compared with the file's level and range", count(summary["compared"]), ""),
        ("offense level agrees", count(summary["level_agrees"]),
         share(summary.get("level_agrees_share"))),
        ("range agrees", count(summary["range_agrees"]), share(summary.get("range_agrees_share"))),
        ("level and range agree", count(summary["both_agree"]),
         share(summary["both_agree_share"])),
    ]  # fmt: skip
    rows += [(f"disagrees: {k}", count(v), "") for k, v in summary["disagreements"].items()]
    return rows


def agreement_table(summary: Mapping[str, Any]) -> RenderableType:
    """The agreement report as a terminal table."""
    header, *rows = agreement_rows(summary)
    both = summary["both_agree_share"]
    title = "The files against the engine: level and range agree for " + (
        "no case compared" if both is None else f"{100 * both:.1f}% of the cases compared"
    )
    table = rich_table.Table(title=title, box=rich_box.SQUARE, title_justify="left")
    table.add_column(header[0])
    table.add_column(header[1], justify="right")
    table.add_column(header[2], justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def agreement_file(summary: Mapping[str, Any]) -> Writer:
    """The writer of ``agreement.csv``: the report's rows as a table."""
    header, *rows = agreement_rows(summary)
    return table_file(pd.DataFrame(rows, columns=list(header)), "csv")
