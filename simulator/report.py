"""Presenting results: terminal tables, JSON, and output files written atomically.

Every file is written to a temporary file in the same directory and renamed into place, so a
crash or Ctrl-C never leaves a half-written output.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from simulator.outcomes import Outcome

HEADLINE = (
    ("population", "People in custody on the snapshot date", "{:,.0f}"),
    ("eligible", "Eligible for a reduction", "{:,.0f}"),
    ("granted", "Granted", "{:,.0f}"),
    ("mean_reduction_months", "Mean reduction, months", "{:.1f}"),
    ("mean_reduction_pct", "Mean reduction, % of term", "{:.1f}%"),
    ("released_first_day", "Released on the first possible day", "{:,.0f}"),
    ("released_first_year", "Released in the following 12 months", "{:,.0f}"),
    ("bed_years_saved", "Bed-years saved", "{:,.0f}"),
    ("cost_saved_usd", "Cost saved", "${:,.0f}"),
)


def _default(obj: object) -> object:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, float) and np.isnan(obj):
        return None
    return str(obj)


def to_json(summary: dict) -> str:
    """The summary as one line of JSON (NaN becomes null)."""
    clean = json.loads(json.dumps(summary, default=_default).replace("NaN", "null"))
    return json.dumps(clean, separators=(",", ":"))


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write a file through ``write(handle)`` into a temporary file, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; outputs are ordinary files
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_all(files: dict[Path, Callable[[IO[bytes]], None]]) -> None:
    """Write several files all or none: each to a temporary file, then all renamed into place.

    If any writer fails (or Ctrl-C arrives) before the renames, every temporary file is removed
    and no target is touched.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, write in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))
            os.chmod(tmp, 0o666 & ~_umask())
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write text atomically (UTF-8)."""
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def write_outputs(outcome: Outcome, directory: Path, *, force: bool = False) -> list[Path]:
    """Write ``summary.json``, ``waves.csv``, ``people.csv.gz`` and breakdown CSVs to a directory.

    Raises ``FileExistsError`` (before writing anything) if a file exists and ``force`` is false.
    """
    from simulator.outcomes import BREAKDOWNS

    summary = outcome.summary
    provenance = (
        f"# scenario: {outcome.scenario.title}\n# scenario_sha256: "
        f"{summary['scenario_sha256']}\n# seed: {summary['seed']}\n"
        f"# version: {summary['version']}\n"
    )
    files: dict[str, Callable[[IO[bytes]], None]] = {
        "summary.json": lambda fh: fh.write((to_json(summary) + "\n").encode()),
        "waves.csv": lambda fh: fh.write((provenance + outcome.waves.to_csv(index=False)).encode()),
        "people.csv.gz": lambda fh: _write_people(outcome.people, fh, provenance),
    }
    if not getattr(outcome, "has_people", True):  # a chunked run keeps no per-person rows
        del files["people.csv.gz"]
    rejected = getattr(outcome, "rejected_rows", None)  # rows of a population file left out
    if rejected is not None and len(rejected):
        files["rejected_rows.csv"] = lambda fh: fh.write(
            (provenance + rejected.to_csv(index=False)).encode()
        )
    for by in BREAKDOWNS:
        frame = outcome.breakdown(by)
        files[f"by_{by}.csv"] = lambda fh, f=frame: fh.write((provenance + f.to_csv()).encode())
    targets = [directory / name for name in files]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; use --force to overwrite")
    atomic_write_all({directory / name: write for name, write in files.items()})
    return targets


def _write_people(people: pd.DataFrame, fh: IO[bytes], provenance: str) -> None:
    import gzip

    with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(provenance.encode())
        gz.write(people.to_csv(index=False).encode())


def print_summary(outcome: Outcome) -> None:
    """Headline table and breakdowns by drug type, race and category, on the terminal."""
    from rich.console import Console

    from simulator.tables import print_tables

    s = outcome.summary
    console = Console()
    console.print(outcome.scenario.title, style="bold", markup=False)
    print_tables(console, outcome)
    _print_details(console, s)
    console.print(
        f"seed {s['seed']} · scenario {s['scenario_sha256'][:12]} · simulator {s['version']}",
        style="dim",
    )


def print_calibration(table: pd.DataFrame) -> None:
    """Model against published marginals, on the terminal."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Calibration: model vs published", title_justify="left")
    for col in ("figure", "model", "published", "tolerance", "ok"):
        t.add_column(col, justify="left" if col == "figure" else "right")
    for row in table.itertuples(index=False):
        tol = f"±{row.tolerance:.0%}" if row.relative else f"±{row.tolerance:.2f}"
        t.add_row(
            row.figure, f"{row.model:,.3f}", f"{row.published:,.3f}", tol, "yes" if row.ok else "NO"
        )
    Console().print(t)


def print_validation(rows: list, *, notes: bool = False) -> None:
    """Scenarios against published figures, on the terminal (see :mod:`simulator.validate`)."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Scenarios against published figures", title_justify="left")
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
    console = Console(width=200)
    console.print(t)
    if notes:
        for r in rows:
            if r.note:
                console.print(f"[bold]{r.scenario} {r.figure}[/bold]: {r.note}")


def _print_details(console: object, s: dict) -> None:
    """Figures of some change types: eligibility per change, clemency criteria and flow."""
    from rich.table import Table

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
        console.print(t)
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
        console.print(t)
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
        console.print(t)
