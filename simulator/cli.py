"""The ``simulate`` command line.

Exit codes: 0 success; 1 a run failed (one line on stderr); 2 bad input (scenario, override,
option, population or mapping file, or an output that exists; every problem listed, one per
line).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from simulator.cli_options import seed_option, sets_option, size_option


class _Fail(click.ClickException):
    """A one-line (or one-line-per-problem) error and an exit status, never a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _Fail(f"--set {item}: expected dotted.key=value", 2)
        out[key.strip()] = value
    return out


def _load(path: str, sets: tuple[str, ...]):
    from simulator.scenario import ScenarioError, load_scenario, with_overrides

    try:
        scenario = load_scenario(path)
        return with_overrides(scenario, _parse_sets(sets)) if sets else scenario
    except ScenarioError as exc:
        raise _Fail(str(exc), 2) from None


class _Group(click.Group):
    """Turns an unexpected error into one line on stderr (SIMULATOR_DEBUG=1 shows the traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("SIMULATOR_DEBUG"):
                raise
            raise _Fail(
                f"error: {type(exc).__name__}: {exc} (SIMULATOR_DEBUG=1 for details)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simulator")
def main() -> None:
    """Simulate retroactive federal drug-sentencing changes on a synthetic prison population."""


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@seed_option
@size_option
@sets_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Write per-person results, monthly waves and the summary to this directory.",
)
@click.option(
    "--plots",
    type=click.Path(file_okay=False),
    help="Write the plots (PNG and SVG) to this directory.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files in --out and --plots.")
@click.option(
    "--population",
    "population_file",
    type=click.Path(dir_okay=False),
    help="Read the people from a CSV or Parquet file instead of synthesizing them.",
)
@click.option("--mapping", type=click.Path(dir_okay=False), help="Column mapping for --population.")
@click.option(
    "--on-bad-rows",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="fail: stop on any bad row; skip: drop bad rows (written to --out with reasons).",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    help="Read --population this many rows at a time (bounded memory; no people.csv.gz).",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    help="Run N replicates (own population and assumptions each); print medians and intervals.",
)
@click.option("--workers", type=click.IntRange(min=1), default=1, help="Processes for replicates.")
@click.option(
    "--executor",
    type=click.Choice(["serial", "process", "dask"]),
    help="Where replicates run (default: dask with --scheduler, process with --workers > 1).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786.")
@click.option(
    "--interval",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="Central probability of the replicate intervals.",
)
@click.option("--quiet", is_flag=True, help="No progress bar on stderr.")
def run(
    scenario: str,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
    out: str | None,
    plots: str | None,
    force: bool,
    population_file: str | None,
    mapping: str | None,
    on_bad_rows: str,
    chunk_rows: int | None,
    replicates: int | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    interval: float,
    quiet: bool,
) -> None:
    """Apply SCENARIO to the population and report who is eligible, by how much, and when."""
    sc = _load(scenario, sets)
    if replicates and population_file:
        raise _Fail("--replicates draws a population per replicate: leave out --population", 2)
    if replicates:
        from simulator.replicates import run_command

        try:
            return run_command(
                sc, replicates, seed=seed, size=size, workers=workers, executor=executor,
                scheduler=scheduler, interval=interval, quiet=quiet, as_json=as_json, out=out,
                plots=plots, force=force,
            )  # fmt: skip
        except FileExistsError as exc:
            raise _Fail(str(exc), 2) from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise _Fail(f"error: {exc}") from None
    import simulator as sim
    from simulator import report
    from simulator.cli_population import check_population_options, run_population_file

    check_population_options(population_file, mapping, size, chunk_rows)
    try:
        if plots and not force:  # refuse before writing anything
            from simulator.plots import refuse_existing

            refuse_existing(plots)
        if population_file:
            outcome = run_population_file(
                sc, population_file, mapping=mapping,
                on_bad_rows=on_bad_rows, seed=sc.seed if seed is None else seed,
                chunk_rows=chunk_rows, out=out, force=force,
            )  # fmt: skip
        else:
            population = sim.synthesize(
                sc.population, seed=sc.seed if seed is None else seed, size=size
            )
            outcome = sim.apply(population, sc)
        if plots and not hasattr(outcome, "reduction"):
            raise _Fail("--plots needs the whole population in memory: leave out --chunk-rows", 2)
        if out:
            report.write_outputs(outcome, Path(out), force=force)
        if plots:
            from simulator.plots import write_plots

            write_plots(outcome, Path(plots), force=force)
    except FileExistsError as exc:
        raise _Fail(str(exc), 2) from None
    except (OSError, ValueError) as exc:
        raise _Fail(f"error: {exc}") from None
    if as_json:
        click.echo(report.to_json(outcome.summary))
    else:
        report.print_summary(outcome)


@main.command()
@click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Scale of the population the fit runs on.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Where to write the fitted parameters (default: the committed data/calibration file).",
)
@click.option(
    "--max-evals",
    type=click.IntRange(min=1),
    default=400,
    show_default=True,
    help="Budget of population builds for the optimizer.",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
def calibrate(size: float, output: str | None, max_evals: int, quiet: bool, force: bool) -> None:
    """Fit the population generator to the published 2014 marginals and save the parameters."""
    from simulator import calibration, report

    if output and Path(output).exists() and not force:
        raise _Fail(f"{output} exists; use --force to overwrite", 2)

    result = calibration.fit(size=size, max_evals=max_evals, progress=not quiet)
    path = calibration.save(result, Path(output) if output else None)
    report.print_calibration(result.table)
    click.echo(f"wrote {path} ({result.evaluations} population builds, cost {result.cost:.3f})")


from simulator.cli_compare import compare_command  # noqa: E402
from simulator.cli_explain import explain_command, screen_command  # noqa: E402
from simulator.cli_list import list_command  # noqa: E402
from simulator.cli_population import export_population_command  # noqa: E402
from simulator.cli_project import project_command  # noqa: E402
from simulator.cli_report import report_command  # noqa: E402
from simulator.cli_schema import schema_command  # noqa: E402
from simulator.cli_sensitivity import sensitivity_command  # noqa: E402
from simulator.cli_validate import validate_command  # noqa: E402

main.add_command(list_command)
main.add_command(validate_command)
main.add_command(compare_command)
main.add_command(schema_command)
main.add_command(explain_command)
main.add_command(screen_command)
main.add_command(report_command)
main.add_command(export_population_command)
main.add_command(sensitivity_command)
main.add_command(project_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
