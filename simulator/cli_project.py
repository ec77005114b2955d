"""``simulate project``: the population in custody month by month, baseline against reform."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simulator.cli_options import seed_option, sets_option, size_option

if TYPE_CHECKING:
    from simulator.projection import Projection

#: Files ``--out`` writes.
OUT_FILES = ("projection_monthly.csv", "projection_yearly.csv", "projection.json")


def provenance(projection: Projection) -> str:
    """``#`` lines naming the scenario, its hash, the seed, size and version."""
    s = projection.summary
    return (
        f"# scenario: {s['scenario']}\n# scenario_sha256: {s['scenario_sha256']}\n"
        f"# seed: {s['seed']}\n# size: {s['size']}\n# snapshot: {s['snapshot']}\n"
        f"# version: {s['version']}\n"
    )


def write_projection(projection: Projection, directory: Path, *, force: bool = False) -> list:
    """Write the monthly and yearly CSVs and the summary JSON atomically.

    Raises ``FileExistsError`` (before writing anything) if a file exists and ``force`` is
    false.
    """
    from simulator.report import atomic_write_text, to_json

    head = provenance(projection)
    texts = {
        "projection_monthly.csv": head + projection.monthly.to_csv(index=False),
        "projection_yearly.csv": head + projection.yearly.to_csv(index=False),
        "projection.json": to_json(projection.summary) + "\n",
    }
    paths = [directory / name for name in texts]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; use --force to overwrite")
    for path, text in zip(paths, texts.values(), strict=True):
        atomic_write_text(path, text)
    return paths


def print_projection(projection: Projection) -> None:
    """The yearly table and the totals, on the terminal."""
    from rich.console import Console
    from rich.table import Table

    from simulator.tables import count, money

    s = projection.summary
    console = Console(width=max(Console().width, 150))
    console.print(s["scenario"], style="bold", markup=False)
    t = Table(
        title=f"Population in custody from {s['start']} ({count(s['opening_population'])} "
        "people), at the end of each year",
        title_justify="left",
    )
    cols = ("year", "to", "baseline", "reform", "difference", "bed-years saved",
            "cost saved", "admitted", "released, baseline", "released, reform")  # fmt: skip
    for col in cols:
        t.add_column(col, justify="left" if col in ("year", "to") else "right", no_wrap=True)
    for row in s["yearly"]:
        t.add_row(
            str(row["year"]),
            row["month"],
            count(row["baseline"]),
            count(row["reform"]),
            f"{row['difference']:+,}",
            count(row["bed_years_saved_cumulative"]),
            money(row["cost_saved_cumulative_usd"]),
            count(row["admissions_reform"]),
            count(row["releases_baseline"]),
            count(row["releases_reform"]),
        )
    console.print(t)
    five = s["difference_after_5_years"]
    last = s["yearly"][-1]
    console.print(
        f"After {s['years']} years: {count(last['bed_years_saved_cumulative'])} bed-years saved "
        f"({money(last['cost_saved_cumulative_usd'])})"
        + (f"; difference after five years {five:+,}" if five is not None else "")
    )
    console.print(
        f"seed {s['seed']} · scenario {s['scenario_sha256'][:12]} · simulator {s['version']}",
        style="dim",
    )


@click.command("project")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--years",
    type=click.IntRange(min=1, max=30),
    help="Horizon in years (default: the scenario's projection.years, or 10).",
)
@seed_option
@size_option
@sets_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Write the monthly and yearly CSVs and projection.json to this directory.",
)
@click.option(
    "--plots", type=click.Path(file_okay=False), help="Write the projection plot (PNG and SVG)."
)
@click.option("--force", is_flag=True, help="Overwrite existing files in --out and --plots.")
def project_command(
    scenario: str,
    years: int | None,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
    out: str | None,
    plots: str | None,
    force: bool,
) -> None:
    """Project the population in custody month by month under SCENARIO against a baseline.

    New cases enter from the yearly admission cohorts after the snapshot; each change applies to
    people already sentenced, to new cases, or both (its ``applies`` key).
    """
    from simulator.cli import _Fail, _load
    from simulator.report import to_json

    sc = _load(scenario, sets)
    try:
        from simulator.projection import project

        proj = project(sc, seed=seed, size=size, years=years)
        _refuse(out, plots, force)
        if out:
            write_projection(proj, Path(out), force=force)
        if plots:
            from simulator.plots import write_projection_plots

            write_projection_plots(proj, Path(plots), force=force)
    except FileExistsError as exc:
        raise _Fail(str(exc), 2) from None
    except (OSError, ValueError) as exc:
        raise _Fail(f"error: {exc}") from None
    if as_json:
        click.echo(to_json(proj.summary))
    else:
        print_projection(proj)


def _refuse(out: Any, plots: Any, force: bool) -> None:
    """Refuse before writing anything if an output file exists (unless ``force``)."""
    if force:
        return
    from simulator.plots import PROJECTION_PLOTS

    paths = [Path(out) / n for n in OUT_FILES] if out else []
    if plots:
        paths += [Path(plots) / f"{n}.{e}" for n in PROJECTION_PLOTS for e in ("png", "svg")]
    for p in paths:
        if p.exists():
            raise FileExistsError(f"{p} exists; use --force to overwrite")
