"""``simulate schema``: the JSON Schema of scenario files, for editors to check against."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulator.cli.options import Fail
from simulator.files import atomic_write_text, refuse_existing
from simulator.scenario.json_schema import scenario_schema


@click.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
def schema_command(output: str | None, force: bool) -> None:
    """Print (or write) the JSON Schema of scenario files."""
    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if not output:
        click.echo(text, nl=False)
        return
    path = Path(output)
    refuse_existing([path], force)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise Fail(f"error: {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}", err=True)


command = schema_command
