"""What the commands share: loading a scenario with its overrides, showing tables, progress.

Examples
--------
>>> load("scenarios/2014_guidelines.yaml", ("grant.rate=1",)).grant.rate
1.0
>>> load("2014_guidelines").title == load("scenarios/2014_guidelines.yaml").title
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from rich.console import Console, RenderableType

from simulator.cli.options import Fail
from simulator.errors import InputError
from simulator.resources import find_scenario
from simulator.scenario import Scenario, load_scenario, parse_sets, with_overrides


def load(path: str, sets: tuple[str, ...] = ()) -> Scenario:
    """A scenario (a file, or a shipped scenario's name) with its ``--set`` overrides.

    A problem raises :class:`~simulator.errors.ScenarioError`, which the command line turns
    into exit 2 with every line of the message.
    """
    scenario = load_scenario(find_scenario(path))
    return with_overrides(scenario, parse_sets(sets)) if sets else scenario


@contextlib.contextmanager
def run_errors(*also: type[Exception]) -> Iterator[None]:
    """A run's OS or value error (or one of ``also``) becomes one line and exit 1.

    Errors in what the user gave (:class:`~simulator.errors.InputError`) pass through to the
    command line, which exits 2 with their message.
    """
    try:
        yield
    except InputError:
        raise
    except (OSError, ValueError, *also) as exc:
        raise Fail(f"error: {exc}") from None


def show(
    items: Iterable[RenderableType], *, width: int | None = None, stderr: bool = False
) -> None:
    """Print what a report function returned, one item after another, on stdout (or stderr)."""
    console = Console(width=width, stderr=stderr)
    for item in items:
        console.print(item)
