"""Replicates on the terminal, as JSON and as CSV files, beside the published figures.

Examples
--------
>>> import simulator as sim
>>> from simulator.runs.replicates import run_replicates
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> reps = run_replicates(s, 2, size=0.02)
>>> [r["figure"] for r in table_rows(reps, s)][:2]
['population', 'eligible']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from simulator.files import Writer
from simulator.files import to_json as plain_json
from simulator.outputs_folder import META, json_file, table_file, text_file, write_folder
from simulator.report.outputs import provenance
from simulator.report.terminal import title
from simulator.runs.published import is_count, published_figures
from simulator.runs.replicates import Replicates
from simulator.scenario import Scenario

#: Figures shown on the terminal besides those with a published value (all are in --json).
SHOWN = (
    "population",
    "eligible",
    "granted",
    "mean_reduction_months",
    "mean_reduction_pct",
    "released_first_day",
    "released_first_year",
    "bed_years_saved",
    "bed_years_saved_undelayed",
    "bed_years_saved_projected",
    "cost_saved_usd",
)


def _fmt(key: str, v: float) -> str:
    if key.endswith("_usd"):
        return f"${v / 1e9:,.2f}B" if abs(v) >= 1e9 else f"${v / 1e6:,.1f}M"
    if key.endswith(("_pct", "_share")) or key.startswith(("mean_", "median_")):
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def _where(lo: float, hi: float, pub: float) -> str:
    if lo <= pub <= hi:
        return "inside"
    edge = hi if pub > hi else lo
    gap = 100 * abs(pub / edge - 1)
    return (
        f"{'above' if pub > hi else 'below'} {gap:.0f}%"
        if gap >= 1
        else f"{'above' if pub > hi else 'below'} {gap:.1f}%"
    )


def table_rows(reps: Replicates, scenario: Scenario) -> list[dict[str, Any]]:
    """Rows of the terminal table: figure, median, interval, published figure, where it falls.

    Published counts are scaled to the population's ``size`` (as ``simulate validate`` does).
    """
    pub = published_figures(scenario)
    size = float(reps.meta["size"])
    iv = reps.intervals.set_index("figure")
    keys = [k for k in SHOWN if k in iv.index]
    keys += [k for k in pub if k in iv.index and k not in keys]
    rows = []
    for k in keys:
        r = iv.loc[k]
        row = {"figure": k, "median": r["median"], "lo": r["lo"], "hi": r["hi"]}
        if k in pub:
            p = pub[k]["published"] * (size if is_count(k) else 1.0)
            row.update(
                published=p,
                where=_where(r["lo"], r["hi"], p),
                under=", ".join(f"{a}={b}" for a, b in pub[k]["overrides"].items()),
            )
        rows.append(row)
    return rows


def replicates_screen(reps: Replicates, scenario: Scenario) -> list[RenderableType]:
    """The table of medians and intervals, with published figures where there are any."""
    m = reps.meta
    pct = f"{100 * m['interval']:g}%"
    items: list[RenderableType] = [title(scenario.title)]
    table = Table(
        title=f"{m['n']} replicates: median and {pct} interval",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name, just in [
        ("figure", "left"),
        ("median", "right"),
        (f"{pct} interval", "right"),
        ("published", "right"),
        ("is", "left"),
    ]:
        table.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    notes: dict[str, str] = {}
    for r in table_rows(reps, scenario):
        k = r["figure"]
        published = ""
        if "published" in r:
            mark = ""
            if r["under"]:
                mark = notes.setdefault(r["under"], "*" * (len(notes) + 1))
            published = _fmt(k, r["published"]) + mark
        table.add_row(
            k,
            _fmt(k, r["median"]),
            f"{_fmt(k, r['lo'])}–{_fmt(k, r['hi'])}",
            published,
            r.get("where", ""),
        )
    for under, mark in notes.items():
        table.caption = (table.caption or "") + f"{mark} published under {under} "
    table.caption_justify = "left"
    items.append(table)
    names = sorted(reps.assumptions["name"].unique()) if len(reps.assumptions) else []
    if names:
        a = reps.assumptions
        items.append(Text("uncertain assumptions (median, interval of the values drawn):"))
        for name in names:
            v = a.loc[a["name"] == name, "value"]
            tail = (1 - m["interval"]) / 2
            items.append(
                Text(f"  {name}: {v.median():g} ({v.quantile(tail):g} – {v.quantile(1 - tail):g})")
            )
    size = f" · size {m['size']:g}" if m["size"] != 1 else ""
    items.append(
        Text(
            f"seed {m['seed']} · scenario {m['scenario_sha256'][:12]} · simulator "
            f"{m['version']} · {m['executor']}{size}",
            style="dim",
        )
    )
    return items


def to_json(reps: Replicates) -> str:
    """Everything as one JSON object: meta, intervals, wave intervals, draws, waves, assumptions."""
    doc = {
        "meta": reps.meta,
        "intervals": reps.intervals.to_dict("records"),
        "wave_intervals": reps.wave_intervals.to_dict("records"),
        "assumptions": reps.assumptions.to_dict("records"),
        "draws": reps.draws.to_dict("records"),
        "waves": reps.waves.to_dict("records"),
    }
    return plain_json(doc)


FILES = ("intervals", "wave_intervals", "draws", "waves", "assumptions")


def replicate_files(
    reps: Replicates,
    scenario: Scenario | None = None,
    *,
    fmt: str = "csv",
    command: str | None = None,
) -> dict[str, Writer]:
    """The tidy frames (plain CSV or Parquet), ``replicates.json`` (meta) and ``meta.json``.

    ``meta.json`` holds the provenance (:func:`simulator.report.outputs.provenance`) of the
    ``scenario`` that ran, with the number of replicates and the command line.
    """
    m = reps.meta
    files = {f"{name}.{fmt}": table_file(getattr(reps, name), fmt) for name in FILES}
    files["replicates.json"] = text_file(plain_json(m, indent=2) + "\n")
    files[META] = json_file(provenance(m, scenario, fmt=fmt, command=command, replicates=m["n"]))
    return files


def write_replicates(reps: Replicates, directory: Path, *, force: bool = False) -> list[Path]:
    """Write the files of :func:`replicate_files` as one output folder; returns their paths.

    Raises :class:`~simulator.errors.OutputExistsError` before writing anything if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    return write_folder(directory, replicate_files(reps), reps.meta, force=force)
