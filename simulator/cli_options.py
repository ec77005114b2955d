"""Options several ``simulate`` commands share, defined once so they read and check alike.

Examples
--------
>>> import click
>>> @click.command()
... @seed_option
... @size_option
... @sets_option
... def cmd(seed, size, sets):
...     click.echo(f"{seed} {size} {list(sets)}")
>>> from click.testing import CliRunner
>>> print(CliRunner().invoke(cmd, ["--seed", "3", "--set", "grant.rate=1"]).output, end="")
3 None ['grant.rate=1']
"""

from __future__ import annotations

import click

seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed of every random draw (default: the scenario's).",
)
size_option = click.option(
    "--size",
    type=click.FloatRange(min=0, min_open=True, max=200),
    help="Scale of the synthetic population (1 = calibrated size).",
)
sets_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set grant.rate=1 (repeatable).",
)
