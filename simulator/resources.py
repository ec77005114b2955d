"""Where the data and scenario files are, in a checkout and in an installed wheel.

The repository keeps ``data/`` (law, published figures, fitted parameters), ``scenarios/``
and ``CITATION.cff`` at its top level, where people look for them. The wheel carries them inside
the package, under ``simulator/_shipped/`` (the build backend's include mapping in
``pyproject.toml``). Every file is found through this module, so code never guesses a path:
:func:`data_dir`, :func:`scenarios_dir`, :func:`citation_file`, and :func:`project_file` for
paths such as ``scenarios/x.yaml`` that data files name; :func:`find_scenario` turns what a
user typed (a path, or the name of a shipped scenario such as ``2014_guidelines``) into a file.
``SIMULATOR_DATA`` points :func:`data_dir` elsewhere (a corrected table, say).

Examples
--------
>>> (data_dir() / "law" / "sentencing_table.csv").is_file()
True
>>> project_file("scenarios/2014_guidelines.yaml") == scenarios_dir() / "2014_guidelines.yaml"
True
>>> find_scenario("2014_guidelines") == scenarios_dir() / "2014_guidelines.yaml"
True
"""

from __future__ import annotations

import csv
import difflib
import os
from importlib.resources import files
from pathlib import Path

import yaml

from simulator.errors import ScenarioError

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


def citation_file() -> Path:
    """``CITATION.cff``: the checkout's, or the copy the wheel carries beside ``data/``."""
    return root() / "CITATION.cff"


def shipped_scenarios() -> list[str]:
    """The names of the shipped scenarios (file names without ``.yaml``), sorted."""
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def find_scenario(name_or_path: str | Path) -> Path:
    """The scenario file a user named: an existing path, or a shipped scenario's name.

    An existing file wins; otherwise a bare name (``2014_guidelines`` or
    ``2014_guidelines.yaml``) of a file in :func:`scenarios_dir`. Raises
    :class:`~simulator.errors.ScenarioError` with one line naming the closest shipped scenarios
    when neither exists.

    Examples
    --------
    >>> find_scenario("2014_guidelines.yaml").name
    '2014_guidelines.yaml'
    >>> find_scenario("2014_guideline")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulator.errors.ScenarioError: 2014_guideline: ...; did you mean 2014_guidelines, ...
    """
    given = str(name_or_path)
    path = Path(given)
    if path.exists():
        return path  # a folder or a device is the loader's to refuse, with its own message
    stem = path.name.removesuffix(".yaml").removesuffix(".yml")
    if given and path.parent == Path(".") and stem:
        shipped = scenarios_dir() / f"{stem}.yaml"
        if shipped.is_file():
            return shipped
    names = shipped_scenarios()
    close = difflib.get_close_matches(stem, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listed = "simulate list shows them all" if names else "no shipped scenarios were found"
    raise ScenarioError(
        f"{given}: no such file, and no shipped scenario of that name{hint} ({listed})"
    )


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    """Read a YAML data file with the safe loader (libyaml's when available)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SafeLoader)  # a safe loader: no arbitrary objects


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV data file as dicts, skipping ``#`` comment lines."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))
