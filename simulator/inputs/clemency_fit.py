"""Fit a clemency scenario's selection and review to published figures (``calibrate --clemency``).

Two fits share the pattern, one per scenario (:data:`FITS`):

* ``2014``: the 2014 Clemency Initiative's selection score (its intercept and the weights of two
  criteria), the cap on the cut of a commutation, how the odds of petitioning move with the
  years served, the review's capacity from 2016-02-01 (its schedule's second period) and the
  share of the favourable petitions waiting that each batch granted before April 2016 and after
  (``review.batch_share``), so that the figures marked ``role: fitted`` in
  ``data/targets/2014_clemency_initiative.yaml`` (the grants, the grants by December 2015 and by
  2016-03-30, the Department's recommendations, the share of recipients meeting all six
  criteria, the grants among the people meeting all six in April 2014, the mean cut) match;
  Nelder–Mead restarts from its answer while it improves (:data:`ClemencyFit.restarts`);
* ``2025``: the January 2025 commutations' selection intercept, so that the grants match "nearly
  2,500" (``data/targets/2025_crack_powder_commutations.yaml``); the violence criteria stay
  required and the weight of "lower today" a stated assumption of the scenario.

Each runs on the scenario's own synthetic stock at its seed, by the same Nelder–Mead fit as the
courts' process (:func:`simulator.inputs.court_fit.fit_scenario`). Figures marked ``check`` are
never used; the other petition and review knobs stay stated assumptions of the scenario.

The result is data: :func:`save` writes ``data/calibration/clemency_<year>.yaml``, which the
scenario mirrors (a test holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.inputs.court_fit import CourtFit, Progress, fit_scenario
from simulator.inputs.court_fit import save as save_fit
from simulator.resources import data_dir


@dataclass(frozen=True)
class ClemencyFit:
    """One fit: the scenario keys it chooses (with bounds), its targets file, the file's header."""

    free: dict[str, tuple[float, float]]
    targets: str
    scenario: str
    header: tuple[str, ...]
    restarts: int = 0  # Nelder–Mead restarts from its answer (see fit_scenario)


def _header(year: str, what: str, scenario: str, targets: str) -> tuple[str, ...]:
    flag = "--clemency" if year == "2014" else f"--clemency {year}"
    return (
        f"# {what}, fitted by",
        f"# `simulate calibrate {flag}` to the figures with role: fitted in",
        f"# data/targets/{targets}.yaml, on the scenario's synthetic stock at its seed",
        "# (simulator/inputs/clemency_fit.py). Do not edit by hand:",
        f"# scenarios/{scenario}.yaml mirrors these values (a test holds them).",
    )


#: The fits by year. The clemency change is the 2014 scenario's fourth, the 2025 one's second.
FITS: dict[str, ClemencyFit] = {
    "2014": ClemencyFit(
        free={
            "changes.3.selection.intercept": (-10.0, 5.0),
            "changes.3.selection.weights.lower_sentence_today": (-5.0, 8.0),
            "changes.3.selection.weights.min_years_served": (-5.0, 5.0),
            "changes.3.commutation.max_cut": (0.1, 1.0),
            "changes.3.review.petition.per_decade_served": (-3.0, 3.0),
            "changes.3.review.capacity_per_month.1.per_month": (100.0, 5000.0),
            "changes.3.review.batch_share.0.share": (0.0, 1.0),
            "changes.3.review.batch_share.1.share": (0.0, 1.0),
        },
        targets="2014_clemency_initiative",
        scenario="2014_clemency_initiative",
        header=_header(
            "2014",
            "The 2014 Clemency Initiative's selection, cut cap, 2016 capacity and batch shares",
            "2014_clemency_initiative",
            "2014_clemency_initiative",
        ),
        restarts=3,
    ),
    "2025": ClemencyFit(
        free={"changes.1.selection.intercept": (-12.0, 5.0)},
        targets="2025_crack_powder_commutations",
        scenario="2025_crack_powder_commutations",
        header=_header(
            "2025",
            "The January 2025 commutations' selection intercept",
            "2025_crack_powder_commutations",
            "2025_crack_powder_commutations",
        ),
    ),
}

#: The 2014 fit's keys (kept for callers of the first version).
FREE = FITS["2014"].free


def fit_path(year: str = "2014") -> Path:
    """``data/calibration/clemency_<year>.yaml``."""
    return data_dir() / "calibration" / f"clemency_{year}.yaml"


def targets_path(year: str = "2014") -> Path:
    """The targets file of the year's scenario, under ``data/targets/``."""
    return data_dir() / "targets" / f"{FITS[year].targets}.yaml"


def scenario_name(year: str = "2014") -> str:
    """The shipped scenario that mirrors the year's fit (without ``.yaml``)."""
    return FITS[year].scenario


def fit(
    *,
    size: float = 1.0,
    max_evals: int = 300,
    progress: Progress | None = None,
    year: str = "2014",
) -> CourtFit:
    """Fit the year's free keys to its fitted figures (see module docstring)."""
    f = FITS[year]
    return fit_scenario(targets_path(year), f.free, size=size, max_evals=max_evals,
                        progress=progress, restarts=f.restarts)  # fmt: skip


def save(result: CourtFit, path: Path | None = None, year: str = "2014") -> Path:
    """Write the fitted values (and the figures they reproduce) as YAML."""
    return save_fit(result, path or fit_path(year), FITS[year].header)
