"""``simulate sensitivity``: which uncertain assumption drives each figure (Sobol indices)."""

from __future__ import annotations

import json
import time

import click

from simulator.cli.common import load, show
from simulator.cli.options import NAMES, Fail, FiniteRange, epilog, seed_option, sets_option
from simulator.cli.progress import progress_bar
from simulator.files import to_json
from simulator.report.sensitivity import sensitivity_screen
from simulator.runs.sensitivity import scenario_sensitivity
from simulator.version import __version__


@click.command("sensitivity", epilog=epilog(NAMES))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--figures",
    "outputs",
    default="eligible,granted,bed_years_saved",
    show_default=True,
    help="Figures to explain, comma-separated (summary keys, dotted for nested ones).",
)
@click.option("--output", "outputs_alias", hidden=True)  # the old name of --figures
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
    type=FiniteRange(min=0, min_open=True, max=200),
    default=0.1,
    show_default=True,
    help="Scale of the population the model runs on.",
)
@seed_option
@sets_option
@click.option(
    "--confidence",
    type=FiniteRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Probability of the bootstrap intervals.",
)
@click.option("--resamples", type=click.IntRange(min=10), default=200, show_default=True,
              help="Bootstrap resamples.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the indices as one JSON object.")
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
def sensitivity_command(
    scenario: str,
    outputs: str,
    outputs_alias: str | None,
    n: int,
    size: float,
    seed: int | None,
    sets: tuple[str, ...],
    confidence: float,
    resamples: int,
    as_json: bool,
    quiet: bool,
) -> None:
    """Rank SCENARIO's uncertain assumptions by how much of each figure's variance they explain.

    Assumptions are the scenario's fields given as distributions (e.g. grant.rate:
    {beta: [68, 32]}, or --set 'grant.rate={beta: [68, 32]}'); the population is held fixed.
    """
    sc = load(scenario, sets)
    if (
        outputs_alias is not None
        and click.get_current_context().get_parameter_source("outputs")
        == click.core.ParameterSource.DEFAULT
    ):
        outputs = outputs_alias
    names = [o.strip() for o in outputs.split(",") if o.strip()]
    if not names:
        raise Fail("--figures: name at least one figure", 2)
    started = time.perf_counter()
    try:
        with progress_bar("sensitivity: runs", None, quiet=quiet) as update:
            table = scenario_sensitivity(
                sc, names, n=n, size=size, seed=seed, confidence=confidence,
                resamples=resamples, progress=update,
            )  # fmt: skip
    except ValueError as exc:
        raise Fail(f"error: {exc}", 2) from None
    seconds = time.perf_counter() - started
    # Saltelli's design: n runs for each of the two base samples and n for each assumption
    runs = n * (table["assumption"].nunique() + 2)
    if not quiet:  # on stderr: the timing is no result, and stdout stays the same run to run
        rate = runs / max(seconds, 1e-9)
        click.echo(f"{runs:,} runs in {seconds:.1f} s ({rate:,.0f} a second)", err=True)
    root = sc.seed if seed is None else seed
    meta = {"seed": root, "scenario_sha256": sc.sha256(), "version": __version__, "n": n,
            "size": size, "confidence": confidence, "resamples": resamples,
            "evaluations": int(runs)}  # fmt: skip
    if as_json:
        records = json.loads(table.to_json(orient="records"))
        click.echo(to_json({"meta": meta, "indices": records}))
        return
    footer = (
        f"seed {root} · scenario {meta['scenario_sha256'][:12]} · simulator {__version__} · "
        f"n {n} · size {size:g} (population held fixed)"
    )
    show(sensitivity_screen(table, sc.title, confidence, footer))


command = sensitivity_command
