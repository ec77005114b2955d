"""Fit the 2014 Clemency Initiative's selection to the published figures (``calibrate --clemency``).

The scenario's selection score (its intercept and the weights of two criteria), the cap on the
cut of a commutation and how the odds of petitioning move with the years served are chosen so
that the figures marked ``role: fitted`` in ``data/targets/2014_clemency_initiative.yaml`` (the
grants, the share of recipients meeting all six criteria, the grants among the people meeting
all six in April 2014, the mean cut) match, on the scenario's own synthetic stock at its seed,
by the same Nelder–Mead fit as the courts' process
(:func:`simulator.inputs.court_fit.fit_scenario`). Figures marked ``check`` (grants by date,
the backlog, the share of life sentences) are never used. The other petition and review knobs
stay stated assumptions of the scenario.

The result is data: :func:`save` writes ``data/calibration/clemency_2014.yaml``, which the
scenario mirrors (a test holds them equal).
"""

from __future__ import annotations

from pathlib import Path

from simulator.inputs.court_fit import CourtFit, Progress, fit_scenario
from simulator.inputs.court_fit import save as save_fit
from simulator.resources import data_dir

#: The scenario keys the fit chooses (the clemency change is the scenario's fourth), with bounds.
FREE: dict[str, tuple[float, float]] = {
    "changes.3.selection.intercept": (-10.0, 5.0),
    "changes.3.selection.weights.lower_sentence_today": (-5.0, 8.0),
    "changes.3.selection.weights.min_years_served": (-5.0, 5.0),
    "changes.3.commutation.max_cut": (0.1, 1.0),
    "changes.3.review.petition.per_decade_served": (-3.0, 3.0),
}

HEADER = (
    "# The 2014 Clemency Initiative's selection score and cap on the cut, fitted by",
    "# `simulate calibrate --clemency` to the figures with role: fitted in",
    "# data/targets/2014_clemency_initiative.yaml, on the scenario's synthetic stock at its seed",
    "# (simulator/inputs/clemency_fit.py). Do not edit by hand:",
    "# scenarios/2014_clemency_initiative.yaml mirrors these values (a test holds them).",
)


def fit_path() -> Path:
    """``data/calibration/clemency_2014.yaml``."""
    return data_dir() / "calibration" / "clemency_2014.yaml"


def targets_path() -> Path:
    """``data/targets/2014_clemency_initiative.yaml``."""
    return data_dir() / "targets" / "2014_clemency_initiative.yaml"


def fit(*, size: float = 1.0, max_evals: int = 300, progress: Progress | None = None) -> CourtFit:
    """Fit :data:`FREE` to the fitted figures (see module docstring)."""
    return fit_scenario(targets_path(), FREE, size=size, max_evals=max_evals, progress=progress)


def save(result: CourtFit, path: Path | None = None) -> Path:
    """Write the fitted values (and the figures they reproduce) as YAML."""
    return save_fit(result, path or fit_path(), HEADER)
