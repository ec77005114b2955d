"""The simulator's version: one source, the installed distribution's metadata.

Every output records it (with the seed and the scenario's hash), so a figure can be traced to
the code that made it.

Examples
--------
>>> isinstance(__version__, str) and len(__version__) > 0
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

#: Name of the distribution whose metadata holds the version.
DISTRIBUTION = "simulator"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
