"""``simulate schema``: the JSON Schema of scenario files, for editors to check against."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simulator.cli.options import Fail, epilog, lock_timeout_option, out_option
from simulator.files import atomic_write_text
from simulator.outputs_folder import Outputs
from simulator.scenario.json_schema import scenario_schema


@click.command("schema", epilog=epilog())
@out_option("Write to this file.", folder=False, alias="--output")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@lock_timeout_option
def schema_command(out: str | None, force: bool, lock_timeout: float) -> None:
    """Print (or write) the JSON Schema of scenario files."""
    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if not out:
        click.echo(text, nl=False)
        return
    path = Path(out)
    with Outputs(files=[path], force=force, lock_timeout=lock_timeout):
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise Fail(f"error: {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}", err=True)


command = schema_command
