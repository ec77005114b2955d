"""Fit the courts' motion process to the published decision counts (``simulate calibrate --court``).

The process of a retroactive change (:class:`~simulator.scenario.document.CourtProcess`: who
files and when, the monthly capacity, which motions go first) and the grant rate are chosen so
that the scenario's figures marked ``role: fitted`` in its target file (the motions decided and
granted by published dates, the releases on the first day) match, on the scenario's own
synthetic stock at its seed. Each residual is the miss over the figure's tolerance; the
objective is their sum of squares, minimized by Nelder–Mead (the counts are step functions of
the parameters, which derivative-based methods handle badly). Figures marked ``check`` are
never used.

The result is data: :func:`save` writes ``data/calibration/court_process_2014.yaml``, which
the scenario's ``retroactivity.process`` mirrors (a test holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator import lazy
from simulator.files import atomic_write_text
from simulator.inputs.calibration import figure_role
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.model.outcomes import is_count, lookup
from simulator.resources import data_dir, project_file, read_yaml
from simulator.scenario import Scenario, load_scenario, with_overrides

optimize = lazy.module("scipy.optimize")

#: The scenario keys the fit chooses, with their bounds.
FREE: dict[str, tuple[float, float]] = {
    "grant.rate": (0.3, 1.0),
    "retroactivity.process.capacity_per_month": (200.0, 10_000.0),
    "retroactivity.process.filing.ineligible": (0.0, 1.0),
    "retroactivity.process.filing.delay_months": (0.0, 60.0),
    "retroactivity.process.filing.delay_months_ineligible": (0.0, 60.0),
    "retroactivity.process.priority_months": (0.0, 60.0),
}

#: Called after each evaluation with the number of evaluations and the objective so far.
Progress = Callable[[int, float], None]


def fit_path() -> Path:
    """``data/calibration/court_process_2014.yaml``."""
    return data_dir() / "calibration" / "court_process_2014.yaml"


def targets_path() -> Path:
    """``data/targets/2014_guidelines_courts.yaml``."""
    return data_dir() / "targets" / "2014_guidelines_courts.yaml"


@dataclass
class CourtFit:
    """The values found, the fitted figures (model, published) and the optimizer's story."""

    values: dict[str, float]
    rows: list[dict]
    cost: float
    evaluations: int


def _miss(value: float, fig: dict) -> float:
    if "tolerance_abs" in fig:
        return (value - float(fig["published"])) / float(fig["tolerance_abs"])
    return (value / float(fig["published"]) - 1.0) / float(fig["tolerance"])


def _rows(summary: dict, figures: list[dict], size: float) -> list[dict]:
    """Each figure of a run: model (counts per unit size), published, miss in tolerances."""
    rows = []
    for fig in figures:
        value = lookup(summary, fig["key"])
        value = value / size if is_count(fig["key"]) else value
        rows.append({"figure": fig["key"], "model": value, "published": float(fig["published"]),
                     "miss": _miss(value, fig)})  # fmt: skip
    return rows


def fit(*, size: float = 1.0, max_evals: int = 300, progress: Progress | None = None) -> CourtFit:
    """Fit the process of the scenario named in the targets file (see module docstring)."""
    return fit_scenario(targets_path(), FREE, size=size, max_evals=max_evals, progress=progress)


def fit_scenario(
    targets: Path,
    free: dict[str, tuple[float, float]],
    *,
    size: float = 1.0,
    max_evals: int = 300,
    progress: Progress | None = None,
    restarts: int = 0,
) -> CourtFit:
    """Fit the ``free`` scenario keys (within their bounds) to the fitted figures of ``targets``.

    The scenario is the one the targets file names, run on its own synthetic stock at its seed
    and ``size``; each residual is a figure's miss over its tolerance (see module docstring).
    With ``restarts``, Nelder–Mead starts again from its answer with a fresh simplex, up to
    that many times while it improves (a simplex that has shrunk on a step function stops short
    of the minimum; many free keys make that likelier); ``max_evals`` bounds all runs together.
    """
    doc = read_yaml(targets)
    base = load_scenario(project_file(doc["scenario"]))
    figures = [f for f in doc["figures"] if figure_role(f, targets) == "fitted"]
    pop = synthesize(base.population, seed=base.seed, size=size)
    names = list(free)
    lo = np.array([free[k][0] for k in names])
    hi = np.array([free[k][1] for k in names])
    x0 = np.array([lookup(base.model_dump(), k) for k in names])
    calls = {"n": 0}

    def scenario_at(x: np.ndarray) -> Scenario:
        x = np.clip(x, lo, hi)
        return with_overrides(base, {k: repr(float(v)) for k, v in zip(names, x, strict=True)})

    def objective(x: np.ndarray) -> float:
        calls["n"] += 1
        rows = _rows(apply(pop, scenario_at(x)).summary, figures, size)
        r = np.array([row["miss"] for row in rows])
        cost = float(r @ r)
        if progress is not None:
            progress(calls["n"], cost)
        return cost

    sol = optimize.minimize(
        objective, x0, method="Nelder-Mead",
        options={"maxfev": max_evals, "xatol": 1e-3, "fatol": 1e-3},
    )  # fmt: skip
    for _ in range(restarts):
        left = max_evals - calls["n"]
        if left <= len(names) + 1:
            break
        again = optimize.minimize(
            objective, np.clip(sol.x, lo, hi), method="Nelder-Mead",
            options={"maxfev": left, "xatol": 1e-3, "fatol": 1e-3},
        )  # fmt: skip
        if again.fun >= sol.fun - 1e-3:
            sol = again if again.fun < sol.fun else sol
            break
        sol = again
    x = np.clip(sol.x, lo, hi)
    values = {k: round(float(v), 4) for k, v in zip(names, x, strict=True)}
    best = with_overrides(base, {k: repr(v) for k, v in values.items()})
    rows = _rows(apply(pop, best).summary, figures, size)
    return CourtFit(values, rows, float(sol.fun), calls["n"])


def load_fit(path: Path | None = None) -> dict[str, float]:
    """The committed fitted values, by scenario key."""
    return {str(k): float(v) for k, v in read_yaml(path or fit_path())["fitted"].items()}


#: The comment heading the committed file of :func:`save`.
HEADER = (
    "# The courts' motion process of the 2014 amendment, fitted by",
    "# `simulate calibrate --court` to the figures with role: fitted in",
    "# data/targets/2014_guidelines_courts.yaml, on the scenario's synthetic stock at its seed",
    "# (simulator/inputs/court_fit.py). Do not edit by hand:",
    "# scenarios/2014_guidelines_courts.yaml mirrors these values (a test holds them).",
)


def save(result: CourtFit, path: Path | None = None, header: tuple[str, ...] = HEADER) -> Path:
    """Write the fitted values (and the figures they reproduce) as YAML, under ``header``."""
    path = path or fit_path()
    lines = [
        *header,
        "fitted:",
        *(f"  {k}: {v}" for k, v in result.values.items()),
        "# model against published at the fit (misses in tolerances):",
        *(f"#   {r['figure']}: {r['model']:.4g} against {r['published']:.4g} ({r['miss']:+.2f})"
          for r in result.rows),
    ]  # fmt: skip
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
