"""``simulate list``: the scenario files and their titles."""

from __future__ import annotations

from pathlib import Path

import click


def scenario_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` files of a scenario directory, sorted by name."""
    return sorted(directory.glob("*.yaml"))


@click.command("list")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, exists=True),
    help="Directory of scenario files (default: the project's scenarios/).",
)
def list_command(directory: str | None) -> None:
    """List the available scenarios with their titles (and whether figures exist to check)."""
    from rich.console import Console
    from rich.table import Table

    from simulator.law import data_dir
    from simulator.scenario import ScenarioError, load_scenario
    from simulator.validate import target_files

    root = Path(directory) if directory else data_dir().parent / "scenarios"
    checked = target_files()
    table = Table(title=f"Scenarios in {root}", title_justify="left")
    for col in ("file", "title", "snapshot", "published figures"):
        table.add_column(col)
    for path in scenario_files(root):
        try:
            sc = load_scenario(path)
            title, snap = sc.title, str(sc.population.snapshot or "")
        except ScenarioError as exc:
            title, snap = f"invalid: {str(exc).splitlines()[0]}", ""
        table.add_row(path.name, title, snap, "yes" if path.stem in checked else "")
    Console(width=160).print(table)
