"""``simulate sensitivity``: which uncertain assumption drives each figure (Sobol indices)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from simulator.cli_options import seed_option, sets_option

if TYPE_CHECKING:
    import pandas as pd


def _ci(v: float, lo: float, hi: float) -> str:
    if v != v:  # NaN: the figure does not vary
        return "does not vary"
    return f"{v:.2f} ({lo:.2f}–{hi:.2f})"


def print_table(table: pd.DataFrame, title: str, confidence: float, footer: str) -> None:
    """One ranking per output: assumptions by total index, with bootstrap intervals."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(title, style="bold", markup=False)
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
        console.print(t)
    console.print(footer, style="dim", markup=False)


@click.command("sensitivity")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "outputs",
    default="eligible,granted,bed_years_saved",
    show_default=True,
    help="Figures to explain, comma-separated (summary keys, dotted for nested ones).",
)
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=2),
    default=256,
    show_default=True,
    help="Base sample (a power of two); the model runs n × (assumptions + 2) times.",
)
@click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True, max=200),
    default=0.1,
    show_default=True,
    help="Scale of the population the model runs on.",
)
@seed_option
@sets_option
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Probability of the bootstrap intervals.",
)
@click.option("--resamples", type=click.IntRange(min=10), default=200, show_default=True,
              help="Bootstrap resamples.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the indices as one JSON object.")
def sensitivity_command(
    scenario: str,
    outputs: str,
    n: int,
    size: float,
    seed: int | None,
    sets: tuple[str, ...],
    confidence: float,
    resamples: int,
    as_json: bool,
) -> None:
    """Rank SCENARIO's uncertain assumptions by how much of each figure's variance they explain.

    Assumptions are the scenario's fields given as distributions (e.g. grant.rate:
    {beta: [68, 32]}, or --set 'grant.rate={beta: [68, 32]}'); the population is held fixed.
    """
    from simulator import __version__
    from simulator.cli import _Fail, _load
    from simulator.sensitivity import scenario_sensitivity

    sc = _load(scenario, sets)
    names = [o.strip() for o in outputs.split(",") if o.strip()]
    if not names:
        raise _Fail("--output: name at least one figure", 2)
    try:
        table = scenario_sensitivity(
            sc, names, n=n, size=size, seed=seed, confidence=confidence, resamples=resamples
        )
    except ValueError as exc:
        raise _Fail(f"error: {exc}", 2) from None
    root = sc.seed if seed is None else seed
    meta = {"seed": root, "scenario_sha256": sc.sha256(), "version": __version__, "n": n,
            "size": size, "confidence": confidence, "resamples": resamples}  # fmt: skip
    if as_json:
        records = json.loads(table.to_json(orient="records"))
        click.echo(json.dumps({"meta": meta, "indices": records}, separators=(",", ":")))
        return
    footer = (
        f"seed {root} · scenario {meta['scenario_sha256'][:12]} · simulator {__version__} · "
        f"n {n} · size {size:g} (population held fixed)"
    )
    print_table(table, sc.title, confidence, footer)
