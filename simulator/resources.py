"""Where the data and scenario files are, in a checkout and in an installed wheel.

The repository keeps ``data/`` (law, published figures, fitted parameters) and ``scenarios/``
at its top level, where people look for them. The wheel carries both inside the package, under
``simulator/_shipped/`` (the build backend's include mapping in ``pyproject.toml``). Every file
is found through this module, so code never guesses a path: :func:`data_dir`,
:func:`scenarios_dir` and :func:`project_file` for paths such as ``scenarios/x.yaml`` that
data files name. ``SIMULATOR_DATA`` points :func:`data_dir` elsewhere (a corrected table, say).

Examples
--------
>>> (data_dir() / "law" / "sentencing_table.csv").is_file()
True
>>> project_file("scenarios/2014_guidelines.yaml") == scenarios_dir() / "2014_guidelines.yaml"
True
"""

from __future__ import annotations

import csv
import os
from importlib.resources import files
from pathlib import Path

import yaml

#: The folder inside the installed package that holds ``data/`` and ``scenarios/``.
SHIPPED = "_shipped"


def root() -> Path:
    """The folder that holds ``data/`` and ``scenarios/``: the wheel's copy, or the checkout."""
    shipped = Path(str(files("simulator"))) / SHIPPED
    if (shipped / "data").is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent  # a checkout: the repository's top level


def data_dir() -> Path:
    """The ``data/`` folder (``SIMULATOR_DATA`` overrides it)."""
    env = os.environ.get("SIMULATOR_DATA")
    return Path(env) if env else root() / "data"


def scenarios_dir() -> Path:
    """The folder of the shipped scenario files."""
    return root() / "scenarios"


def project_file(relative: str | Path) -> Path:
    """A file named relative to the project's top level, e.g. ``scenarios/2014_guidelines.yaml``.

    ``data/...`` follows :func:`data_dir`; anything else is under :func:`root`.
    """
    parts = Path(relative).parts
    if parts and parts[0] == "data":
        return data_dir().joinpath(*parts[1:])
    return root().joinpath(*parts)


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    """Read a YAML data file with the safe loader (libyaml's when available)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SafeLoader)  # a safe loader: no arbitrary objects


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV data file as dicts, skipping ``#`` comment lines."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))
