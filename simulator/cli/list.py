"""``simulate list``: the scenario files and their titles."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from simulator.cli.common import show
from simulator.cli.options import Fail, epilog
from simulator.errors import ScenarioError
from simulator.resources import scenarios_dir
from simulator.runs.published import target_files
from simulator.scenario import load_scenario


def scenario_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` files of a scenario directory, sorted by name."""
    return sorted(directory.glob("*.yaml"))


@click.command("list", epilog=epilog())
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, exists=True),
    help="Directory of scenario files (default: the project's scenarios/).",
)
def list_command(directory: str | None) -> None:
    """List the available scenarios with their titles (and whether figures exist to check)."""
    root = Path(directory) if directory else scenarios_dir()
    files = scenario_files(root)
    if not files:
        where = "--dir" if directory else "the installed package (a broken install?)"
        raise Fail(f"no scenario files (*.yaml) in {root} ({where})", 2 if directory else 1)
    checked = target_files()
    table = Table(
        title=f"Scenarios in {root}",
        title_justify="left",
        caption="Run one by name or path: simulate run 2014_guidelines",
        caption_justify="left",
    )
    for col in ("file", "title", "snapshot", "published figures"):
        table.add_column(col)
    for path in files:
        try:
            sc = load_scenario(path)
            title, snap = sc.title, str(sc.population.snapshot or "")
        except ScenarioError as exc:
            title, snap = f"invalid: {str(exc).splitlines()[0]}", ""
        table.add_row(path.name, title, snap, "yes" if path.stem in checked else "")
    show([table], width=160)


command = list_command
