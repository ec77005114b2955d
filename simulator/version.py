"""The simulator's version: one source, ``version`` in ``pyproject.toml``.

An installed package reads it from its distribution's metadata (which the build copied from
``pyproject.toml``); a source tree that is not installed reads ``pyproject.toml`` itself. Every
output records it (with the seed and the scenario's hash), so a figure can be traced to the code
that made it; ``simulate --version`` prints it.

Examples
--------
>>> isinstance(__version__, str) and len(__version__) > 0
True
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

#: Name of the distribution whose metadata holds the version (the import name is ``simulator``).
DISTRIBUTION = "sentence-reduction-simulator"


def _from_pyproject() -> str:
    """The version in the checkout's ``pyproject.toml``, or ``0+unknown`` without one."""
    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with path.open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+unknown"


try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = _from_pyproject()
