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
import shlex
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

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


#: The exit codes every command documents in its ``--help`` (docs/reference/outputs.md).
EXIT_CODES = (
    "Exit codes: 0 success; 1 the run failed (one line on stderr); 2 bad input (a scenario, "
    "option, population or mapping file, an output that exists, or one another run is "
    "writing); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM)."
)


#: What the epilog of a command that takes scenarios says about naming them.
NAMES = "SCENARIO is a scenario file or the name of a shipped one (simulate list shows them)."


def epilog(also: str = "") -> str:
    """The ``--help`` epilog of a command: the exit codes, and what else it should say.

    Examples
    --------
    >>> epilog().startswith("Exit codes: 0 success; 1 ")
    True
    """
    return f"{also}\n\n{EXIT_CODES}" if also else EXIT_CODES


#: The arguments of the running command (set by the ``simulate`` group), for ``meta.json``.
ARGV: list[str] = []


def command_line() -> str:
    """The command line being run, quoted as a shell would need it (``simulate run ...``).

    Examples
    --------
    >>> ARGV[:] = ["run", "2014_guidelines", "--out", "my results"]
    >>> command_line()
    "simulate run 2014_guidelines --out 'my results'"
    """
    return shlex.join(["simulate", *ARGV])


_ALIAS = "simulator.out_alias"


def _take_alias(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    # the hidden old spelling: the value goes to --out unless --out itself was given
    if value is None:
        return
    ctx.meta[_ALIAS] = value
    if "out" in ctx.params and ctx.get_parameter_source("out") in (ParameterSource.DEFAULT, None):
        ctx.params["out"] = value


def _prefer_out(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    given = ctx.get_parameter_source("out") not in (ParameterSource.DEFAULT, None)
    return value if given or _ALIAS not in ctx.meta else ctx.meta[_ALIAS]


def out_option(
    help: str, *, folder: bool = True, default: str | None = None, alias: str | None = None
) -> Callable[[Any], Any]:
    """``-o/--out``, spelled alike in every command that writes outputs.

    ``folder`` says whether it names a folder (``run``, ``project``) or a file; ``alias`` is an
    older spelling (``--output``) kept working but hidden from ``--help``. The value reaches
    the command as ``out``.
    """
    kind = click.Path(file_okay=not folder, dir_okay=folder)
    main = click.option(
        "-o", "--out", "out", type=kind, default=default, show_default=default is not None,
        metavar="DIR" if folder else "FILE", help=help, callback=_prefer_out,
    )  # fmt: skip
    if alias is None:
        return main
    old = click.option(alias, type=kind, hidden=True, expose_value=False, callback=_take_alias)
    return lambda f: main(old(f))


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="Format of the tables --out writes: csv (plain, one header row) or parquet; "
    "provenance goes to meta.json beside them.",
)
