"""The ``simulate`` command line: one module per command, loaded when the command runs.

Exit codes: 0 success; 1 a run failed (one line on stderr); 2 bad input (scenario, override,
option, population or mapping file, an output that exists, or one another run is writing;
every problem listed, one per line); 130 interrupted (SIGINT, Ctrl-C); 143 terminated
(SIGTERM). Errors of :mod:`simulator.errors` carry their exit code; an unexpected error is one
line too (``SIMULATOR_DEBUG=1`` shows the traceback). SIGTERM is turned into an exception, as
Ctrl-C is, so a stopped command unwinds: temporary files and folders are removed and locks
released on the way out.

``simulate --help`` lists the commands from :data:`COMMANDS` without importing them, so it
answers at once; a test holds each summary equal to its command's own help.

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["--help"])
>>> result.exit_code, "export-population" in result.output
(0, True)
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from types import FrameType
from typing import Any

import click

from simulator.cli.options import ARGV, Fail
from simulator.errors import SimulatorError
from simulator.version import __version__


@dataclass(frozen=True)
class Entry:
    """Where a command lives (``module:attribute``) and the first paragraph of its help."""

    target: str
    summary: str


#: Every command: name -> where it lives, and its summary for ``simulate --help``.
COMMANDS: dict[str, Entry] = {
    "calibrate": Entry(
        "simulator.cli.calibrate:command",
        "Fit the population generator to the published 2014 marginals and save the parameters.",
    ),
    "compare": Entry(
        "simulator.cli.compare:command",
        "Run SCENARIOS side by side against the first as baseline, with common random numbers.",
    ),
    "explain": Entry(
        "simulator.cli.explain:command",
        "Worksheet of one person of SCENARIO's population: facts, guideline, eligibility, dates.",
    ),
    "export-population": Entry(
        "simulator.cli.export_population:command",
        "Write the synthetic population as a population file (the schema --population reads).",
    ),
    "list": Entry(
        "simulator.cli.list:command",
        "List the available scenarios with their titles (and whether figures exist to check).",
    ),
    "project": Entry(
        "simulator.cli.project:command",
        "Project the population in custody month by month under SCENARIO against a baseline.",
    ),
    "report": Entry(
        "simulator.cli.report:command",
        "Write one HTML file (inline SVG, no network, no script) about a run of SCENARIO.",
    ),
    "run": Entry(
        "simulator.cli.run:command",
        "Apply SCENARIO to the population and report who is eligible, by how much, and when.",
    ),
    "schema": Entry(
        "simulator.cli.schema:command", "Print (or write) the JSON Schema of scenario files."
    ),
    "screen": Entry(
        "simulator.cli.screen:command",
        "Worksheet for one case typed on the command line, run through the same engine.",
    ),
    "serve": Entry(
        "simulator.cli.serve:command",
        "Serve the explorer: choose a scenario, change its assumptions, run it, in a web page.",
    ),
    "sensitivity": Entry(
        "simulator.cli.sensitivity:command",
        "Rank SCENARIO's uncertain assumptions by how much of each figure's variance they explain.",
    ),
    "validate": Entry(
        "simulator.cli.validate:command",
        "Run the scenarios with published figures (data/targets/) and compare.",
    ),
}


def load_command(name: str) -> click.Command:
    """Import the module of a command and return the command."""
    module, attribute = COMMANDS[name].target.split(":")
    # lazy command loading: a command's module (and numpy, pandas...) loads when it runs
    return getattr(import_module(module), attribute)


class Terminated(SystemExit):
    """SIGTERM, raised in the main thread so the command unwinds through its cleanups."""


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`Terminated` (as SIGINT raises Ctrl-C's)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    pid = os.getpid()

    def terminate(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != pid:  # a forked worker inherited the handler: end as it would have
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated(143)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


class _Group(click.Group):
    """Commands loaded on use; an unexpected error becomes one line on stderr."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        width = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [  # shortened as click shortens a loaded command's help
            (name, click.Command(name, help=COMMANDS[name].summary).get_short_help_str(width))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        # the command line as given, which meta.json records beside the outputs
        ARGV[:] = [str(a) for a in (sys.argv[1:] if args is None else args)]
        with _sigterm_unwinds():
            return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Fail("interrupted (SIGINT)", 130) from None
        except Terminated:
            raise Fail("terminated (SIGTERM)", 143) from None
        except SimulatorError as exc:
            raise Fail(str(exc), exc.exit_code) from None
        except FileExistsError as exc:
            raise Fail(str(exc), 2) from None
        except Exception as exc:
            if os.environ.get("SIMULATOR_DEBUG"):
                raise
            raise Fail(
                f"error: {type(exc).__name__}: {exc} (SIMULATOR_DEBUG=1 for details)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def main() -> None:
    """Simulate retroactive federal drug-sentencing changes on a synthetic prison population."""
