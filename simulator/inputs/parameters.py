"""The population generator's parameters: the fitted ones and the assumed ones, with their file.

``data/calibration/population_2014.yaml`` holds both: ``fitted`` (chosen by
``simulate calibrate``) and ``assumed`` (fixed choices, each with its basis). A scenario may
name another file (``population.parameters``).

Examples
--------
>>> p = load_parameters()
>>> p.path.name, "admissions_scale" in p.fitted, p.assumed["first_cohort"]
('population_2014.yaml', True, 1988)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.calendar import day
from simulator.errors import PopulationError
from simulator.resources import data_dir, read_yaml
from simulator.scenario.yaml_source import dotted, locate, read_yaml_source, yaml_problems

#: Keys of the committed file that another parameter file may leave out (the code has defaults).
OPTIONAL = {
    ("calibration_seed",),
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Parameters:
    """Generator parameters: the fitted free ones and the assumed fixed ones."""

    snapshot: int
    fitted: dict[str, float]
    assumed: dict
    path: Path | None = None
    calibration_seed: int = 0

    def with_fitted(self, values: dict[str, float]) -> Parameters:
        """A copy with some fitted values replaced."""
        return Parameters(
            self.snapshot, {**self.fitted, **values}, self.assumed, self.path, self.calibration_seed
        )


def default_parameters_path() -> Path:
    """``data/calibration/population_2014.yaml``."""
    return data_dir() / "calibration" / "population_2014.yaml"


def load_parameters(path: str | Path | None = None) -> Parameters:
    """Read generator parameters from a YAML file (the committed calibration by default).

    A file other than the committed one is a user's: it is read as a scenario is (UTF-8,
    bounded aliases, line numbers) and must have the committed file's shape: every key it has
    (but :data:`OPTIONAL`), a finite number where it has a number, a list as long, a date, a
    text.

    Raises
    ------
    PopulationError
        For a file that cannot be read, or one ``file:line:col: key.path: message`` line per
        problem.
    """
    committed = default_parameters_path()
    if path is None:
        return _parameters(read_yaml(committed), committed)
    path = Path(path)
    _, root, doc = read_yaml_source(path, PopulationError, "parameters file")
    found = _unlike(doc, read_yaml(committed), ())
    # what YAML 1.1 made of a value explains a wrong kind better (1e3 is text); repeated keys
    # are problems in themselves
    yaml_found = yaml_problems(root)
    surprises = {loc: msg for _, loc, msg, _ in yaml_found}
    problems = [(locate(root, loc) or (1, 1), loc, surprises.get(loc, msg)) for loc, msg in found]
    problems += [(pos, loc, msg) for pos, loc, msg, when in yaml_found if when == "always"]
    if problems:
        lines = [
            f"{path}:{pos[0]}:{pos[1]}: {dotted(loc)}: {msg}"
            for pos, loc, msg in sorted(problems, key=lambda p: p[0])
        ]
        raise PopulationError("\n".join(lines))
    return _parameters(doc, path)


def _parameters(doc: dict, path: Path) -> Parameters:
    return Parameters(
        snapshot=day(doc["snapshot"]),
        fitted={k: float(v) for k, v in doc["fitted"].items()},
        assumed=doc["assumed"],
        path=path,
        calibration_seed=int(doc.get("calibration_seed", 0)),
    )


def _unlike(value: Any, like: Any, loc: tuple) -> list[tuple[tuple, str]]:
    """Where ``value`` has not the shape of ``like`` (the committed file's value at ``loc``)."""
    if isinstance(like, dict) and like and all(isinstance(k, int) for k in like):
        if not isinstance(value, dict) or not value:
            return [(loc, "expected a series by fiscal year (year: number)")]
        sample = next(iter(like.values()))
        return [
            p
            for k, v in value.items()
            for p in (
                _unlike(v, sample, (*loc, k))
                if isinstance(k, int) and not isinstance(k, bool)
                else [((*loc, k), "expected a fiscal year")]
            )
        ]
    if isinstance(like, dict):
        if not isinstance(value, dict):
            return [(loc, "expected a mapping")]
        missing = [k for k in like if k not in value and (*loc, k) not in OPTIONAL]
        out = [((*loc, k), "missing") for k in missing]
        return out + [p for k in like if k in value for p in _unlike(value[k], like[k], (*loc, k))]
    if isinstance(like, list):
        if not isinstance(value, list) or len(value) != len(like):
            return [(loc, f"expected a list of {len(like)} values")]
        pairs = enumerate(zip(value, like, strict=True))
        return [p for i, (v, w) in pairs for p in _unlike(v, w, (*loc, i))]
    if isinstance(like, bool):
        return [] if isinstance(value, bool) else [(loc, "expected true or false")]
    if isinstance(like, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return [] if ok else [(loc, "expected a finite number")]
    if isinstance(like, dt.date):
        return [] if _is_day(value) else [(loc, "expected a date, YYYY-MM-DD")]
    if isinstance(like, str):
        return [] if isinstance(value, str) else [(loc, "expected text")]
    return []


def _is_day(value: Any) -> bool:
    """Whether a value is a date, or text that is one (``YYYY-MM-DD``)."""
    if isinstance(value, dt.date):
        return True
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
