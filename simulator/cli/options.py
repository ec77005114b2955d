"""The options several commands share, and the error that becomes an exit code.

Only click is imported here, so that ``simulate --help`` answers at once.

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

import math
from typing import Any

import click

from simulator.errors import visible


class Fail(click.ClickException):
    """A one-line (or one-line-per-problem) error and an exit status, never a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file: Any = None) -> None:
        """Print the message alone on stderr, each problem on its own line.

        Problems are separated by newlines; any other line break or control character a
        quoted value holds is printed as its escape, so it cannot split or overwrite a line.
        """
        lines = self.format_message().split("\n")
        click.echo("\n".join(visible(line) for line in lines), err=True)


class FiniteRange(click.FloatRange):
    """A :class:`click.FloatRange` that also refuses ``nan`` and infinities.

    ``nan`` compares false with every bound, so a plain range lets it through.

    Examples
    --------
    >>> FiniteRange(min=0).convert("1.5", None, None)
    1.5
    >>> FiniteRange(min=0).convert("nan", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'nan' is not a finite number.
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The number, within the range and finite; a usage error (exit 2) otherwise."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    """``--set dotted.key=value`` options as a dict (exit 2 for one without ``=``)."""
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Fail(f"--set {item}: expected dotted.key=value", 2)
        out[key.strip()] = value
    return out


seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed of every random draw (default: the scenario's).",
)
size_option = click.option(
    "--size",
    type=FiniteRange(min=0, min_open=True, max=200),
    help="Scale of the synthetic population (1 = calibrated size).",
)
sets_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set grant.rate=1 (repeatable).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as one JSON object."
)
lock_timeout_option = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="Wait this long for another run writing the same output (default: fail at once).",
)
