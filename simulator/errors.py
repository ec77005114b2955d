r"""One exception hierarchy, which the command line turns into exit codes.

``InputError`` and its kinds are problems with what a user gave (a scenario, an override, a
population or mapping file, an output that exists or that another run is writing): the command
line prints the message and exits 2. Any other :class:`SimulatorError` is a run that failed:
exit 1. Each message is complete in itself (file, line, key, row and reason where there are
any), one problem per line.

Examples
--------
>>> issubclass(ScenarioError, InputError), ScenarioError.exit_code, SimulatorError.exit_code
(True, 2, 1)
>>> isinstance(OutputExistsError("out/summary.json exists"), FileExistsError)
True
>>> visible("a\rb\x1ec")
'a\\rb\\x1ec'
"""

from __future__ import annotations

#: Characters a message must not hold raw: C0 controls, DEL, and the other line boundaries of
#: ``str.splitlines`` (a quoted value holding one would break the one-line-per-problem form or
#: overwrite the line on a terminal); each becomes its Python escape.
VISIBLE = {i: repr(chr(i))[1:-1] for i in (*range(32), 127, 0x85, 0x2028, 0x2029)}


def visible(text: str) -> str:
    """``text`` with control characters and line boundaries written as escapes."""
    return text.translate(VISIBLE)


class SimulatorError(Exception):
    """A run failed for a reason the message states (exit code 1)."""

    exit_code = 1


class InputError(SimulatorError, ValueError):
    """Something a user gave is invalid; the message says what and where (exit code 2)."""

    exit_code = 2


class ScenarioError(InputError):
    """A scenario file or override is invalid; the message lists every problem, one per line."""


class PopulationError(InputError):
    """A population or mapping file is invalid; the message names the file, rows and reasons."""


class ChunkingError(InputError):
    """The scenario cannot be applied chunk by chunk, or the chunks held no people."""


class OutputExistsError(InputError, FileExistsError):
    """An output file exists and overwriting was not asked for."""

    @classmethod
    def at(cls, path: object) -> OutputExistsError:
        """The error for one existing file, with the way out."""
        return cls(f"{path} exists; use --force to overwrite")


class OutputBusyError(InputError):
    """Another run holds the lock of an output (it is writing the same folder or file)."""


class ManifestError(InputError):
    """An output folder is not a complete set written by ``simulate``: do not trust its files."""


__all__ = [
    "ChunkingError",
    "InputError",
    "ManifestError",
    "OutputBusyError",
    "OutputExistsError",
    "PopulationError",
    "ScenarioError",
    "SimulatorError",
]
