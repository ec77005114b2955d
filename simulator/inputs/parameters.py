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

from dataclasses import dataclass
from pathlib import Path

from simulator.calendar import day
from simulator.resources import data_dir, read_yaml


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
    """Read generator parameters from a YAML file (the committed calibration by default)."""
    path = Path(path) if path else default_parameters_path()
    doc = read_yaml(path)
    return Parameters(
        snapshot=day(doc["snapshot"]),
        fitted={k: float(v) for k, v in doc["fitted"].items()},
        assumed=doc["assumed"],
        path=path,
        calibration_seed=int(doc.get("calibration_seed", 0)),
    )
