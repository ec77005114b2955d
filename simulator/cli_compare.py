"""``simulate compare A.yaml B.yaml ...``: scenarios side by side, the first as baseline.

Common random numbers: every scenario runs with the same seed, and on the very same people
when their ``population`` sections agree (snapshot, size, parameter file); a scenario whose
population differs gets its own, synthesized with the same seed, and the command says so.

Examples
--------
>>> from simulator.scenario import load_scenario
>>> a = load_scenario("scenarios/2014_guidelines.yaml")
>>> rows, notes = compare([a, a], seed=1, size=0.05)
>>> rows[1]["eligible"] == rows[0]["eligible"], notes
(True, [])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

#: Figures compared: summary key and label.
FIGURES: tuple[tuple[str, str], ...] = (
    ("population", "People in custody"),
    ("eligible", "Eligible"),
    ("granted", "Granted"),
    ("mean_reduction_months", "Mean reduction, months"),
    ("released_first_day", "Released on the first possible day"),
    ("released_first_year", "Released in the following 12 months"),
    ("bed_years_saved", "Bed-years saved"),
    ("cost_saved_usd", "Cost saved"),
)


def population_key(scenario: Any, size: float | None) -> tuple:
    """What decides a scenario's population: snapshot, size and generator parameters."""
    spec = scenario.population
    return (spec.snapshot, size if size is not None else spec.size, spec.parameters)


def compare(
    scenarios: list[Any], *, seed: int, size: float | None = None
) -> tuple[list[dict], list[str]]:
    """Run each scenario with one seed; reuse the population while the specs agree.

    Returns one summary per scenario (with ``scenario_file``) and notes about populations
    synthesized again.
    """
    from simulator.engine import apply
    from simulator.synthesis import synthesize

    populations: dict[tuple, Any] = {}
    rows, notes = [], []
    first_key = population_key(scenarios[0], size)
    for sc in scenarios:
        key = population_key(sc, size)
        if key not in populations:
            if populations:
                notes.append(
                    f"{sc.source_path}: its population differs from "
                    f"{scenarios[0].source_path}'s ({_diff(first_key, key)}); synthesized its "
                    f"own with the same seed {seed}"
                )
            populations[key] = synthesize(sc.population, seed=seed, size=size)
        summary = apply(populations[key], sc).summary
        rows.append({"scenario_file": sc.source_path, **summary})
    return rows, notes


def _diff(a: tuple, b: tuple) -> str:
    names = ("snapshot", "size", "parameters")
    parts = [f"{n} {y} vs {x}" for n, x, y in zip(names, a, b, strict=True) if x != y]
    return ", ".join(parts)


def frame(rows: list[dict]) -> Any:
    """One row per scenario: each figure and its difference from the first scenario."""
    import pandas as pd

    base = rows[0]
    out = []
    for r in rows:
        rec: dict[str, Any] = {"scenario_file": r["scenario_file"], "scenario": r["scenario"]}
        for key, _ in FIGURES:
            rec[key] = r[key]
            rec[f"{key}_vs_baseline"] = round(r[key] - base[key], 2)
        rec.update(seed=r["seed"], scenario_sha256=r["scenario_sha256"], version=r["version"])
        out.append(rec)
    return pd.DataFrame(out)


def _fmt(key: str, value: float, *, delta: bool = False) -> str:
    from simulator.tables import count, money, months

    text = {"cost_saved_usd": money, "mean_reduction_months": months}.get(key, count)(value)
    if delta:
        return text if text.startswith("-") else f"+{text}"
    return text


def print_comparison(rows: list[dict]) -> None:
    """Scenarios side by side on the terminal; after the first, the difference from it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Scenarios compared (differences from the first)", title_justify="left")
    table.add_column("figure", no_wrap=True)
    for i, r in enumerate(rows):
        name = Path(r["scenario_file"] or f"scenario {i + 1}").stem
        table.add_column(f"{name}\n(baseline)" if i == 0 else name, justify="right")
    for key, label in FIGURES:
        cells = []
        for i, r in enumerate(rows):
            text = _fmt(key, r[key])
            if i:
                text += f"\n({_fmt(key, r[key] - rows[0][key], delta=True)})"
            cells.append(text)
        table.add_row(label, *cells)
    console = Console(width=max(100, 30 + 24 * len(rows)))
    console.print(table)
    s = rows[0]
    console.print(f"seed {s['seed']} · simulator {s['version']} · scenarios " + ", ".join(
        r["scenario_sha256"][:12] for r in rows), style="dim")  # fmt: skip


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--seed", type=click.IntRange(min=0), help="Seed for all (default: the first's).")
@click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True, max=200),
    help="Scale of the synthetic population (default: each scenario's).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Also write the comparison as CSV here."
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def compare_command(
    scenarios: tuple[str, ...], seed: int | None, size: float | None, out: str | None, force: bool
) -> None:
    """Run SCENARIOS side by side against the first as baseline, with common random numbers."""
    from simulator.cli import _Fail, _load

    if len(scenarios) < 2:
        raise _Fail("compare needs at least two scenarios", 2)
    loaded = [_load(path, ()) for path in scenarios]
    if out and Path(out).exists() and not force:
        raise _Fail(f"{out} exists; use --force to overwrite", 2)
    rows, notes = compare(loaded, seed=loaded[0].seed if seed is None else seed, size=size)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    print_comparison(rows)
    if out:
        from simulator.report import atomic_write_text

        df = frame(rows)
        s = rows[0]
        header = f"# seed: {s['seed']}\n# version: {s['version']}\n" + "".join(
            f"# note: {n}\n" for n in notes
        )
        atomic_write_text(Path(out), header + df.to_csv(index=False))
        click.echo(f"wrote {out}", err=True)
