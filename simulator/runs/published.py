"""Scenarios against published figures (``simulate validate``).

Every ``data/targets/*.yaml`` file that names a ``scenario`` lists published figures for it:

``figures``
    each with ``role`` (``fitted``: a calibration uses it; ``check``: nothing is fitted to it),
    ``key`` (a dotted path into the run's summary, e.g. ``eligible`` or
    ``by_change.1.eligible``), ``published``, ``tolerance`` (relative) or ``tolerance_abs``,
    optional ``overrides`` (``--set`` values for that figure) and a ``source``; the figure
    passes when the model is within the tolerance; with ``projection: true`` the key is read
    from the summary of :func:`simulator.runs.projection.project` instead of the run's;
``known_differences``
    figures (each a ``check``) the model misses for a stated reason, each with
    ``expected_range`` (bounds of model / published - 1) and an ``explanation``; they pass
    while the gap stays inside the range, so a change that closes or widens it is noticed.

``data/targets/population_snapshots.yaml`` holds published stock totals on other dates; each
is checked against the synthetic stock on that date (``key: size``), counted as its source
counts (``count``); its ``releases`` are people released on one day by a change of the law.
``data/targets/admission_cohorts.yaml`` holds figures of yearly admission cohorts (counts, drug
mix, sentences), each checked against the synthetic cohort of its fiscal year (``flow.*``).

Populations are built once per snapshot, seed and size within a process, and every figure of
a scenario with the same overrides shares one run.

Examples
--------
>>> rows = validate(["2014_guidelines"], size=0.05)
>>> {r.figure for r in rows} >= {"eligible", "population"}
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from simulator.calendar import day
from simulator.errors import InputError
from simulator.inputs.calibration import cohort_figures, counted, figure_role
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import admissions, synthesize
from simulator.law import conventions
from simulator.model.apply import apply
from simulator.model.outcomes import is_count, lookup
from simulator.model.population import Population, in_custody
from simulator.resources import data_dir, project_file, read_yaml
from simulator.runs.projection import project
from simulator.scenario import PopulationSpec, Scenario, load_scenario, with_overrides

SNAPSHOTS_FILE = "population_snapshots.yaml"


@dataclass(frozen=True)
class Row:
    """One figure: the model against the published value."""

    scenario: str
    figure: str
    model: float
    published: float
    source: str
    tolerance: str
    status: str  # "pass", "FAIL", "known gap", "known miss" or "GAP MOVED"
    note: str = ""
    role: str = "check"  # "fitted" (a calibration uses it) or "check" (out of sample)

    @property
    def ok(self) -> bool:
        """Whether the figure is within its tolerance (or its documented gap or miss)."""
        return self.status in ("pass", "known gap", "known miss")


def targets_dir() -> Path:
    """``data/targets``."""
    return data_dir() / "targets"


def target_files() -> dict[str, Path]:
    """Target files that name a scenario, by scenario name (file stem)."""
    out = {}
    for path in sorted(targets_dir().glob("*.yaml")):
        doc = read_yaml(path)
        if isinstance(doc, dict) and "scenario" in doc:
            out[path.stem] = path
    return out


@functools.cache
def _population(snapshot: str | None, seed: int, size: float, parameters: str | None) -> Population:
    spec = PopulationSpec(snapshot=snapshot, size=size, parameters=parameters)
    return synthesize(spec, seed=seed, size=size)


def population_for(scenario: Scenario, size: float) -> Population:
    """The scenario's synthetic stock (cached per snapshot, seed, size and parameter file)."""
    spec = scenario.population
    snap = spec.snapshot.isoformat() if spec.snapshot else None
    return _population(snap, scenario.seed, size, spec.parameters)


def _tolerance(fig: dict) -> tuple[str, bool]:
    if "tolerance_abs" in fig:
        return f"±{fig['tolerance_abs']:g}", False
    return f"±{100 * fig['tolerance']:.0f}%", True


def check_scenario(name: str, path: Path, size: float = 1.0) -> list[Row]:
    """Run one scenario under each set of overrides its targets need; compare every figure."""
    doc = read_yaml(path)
    base = load_scenario(project_file(doc["scenario"]))
    pop = population_for(base, size)
    runs: dict[tuple, dict] = {}

    def model(fig: dict) -> float:
        overrides = {k: str(v) for k, v in (fig.get("overrides") or {}).items()}
        sig = (bool(fig.get("projection")), *sorted(overrides.items()))
        if sig not in runs:
            sc = with_overrides(base, overrides) if overrides else base
            if fig.get("projection"):  # a figure of `simulate project`'s summary
                runs[sig] = project(sc, population=pop, size=size).summary
            else:
                runs[sig] = apply(pop, sc).summary
        value = lookup(runs[sig], fig["key"])
        return value / size if is_count(fig["key"]) else value

    for fig in [*doc.get("figures", []), *doc.get("known_differences", [])]:
        figure_role(fig, path)
    figures = [*doc.get("figures", []), *doc.get("known_differences", [])]
    return [_judged(name, fig["key"], fig, model(fig)) for fig in figures]


def check_snapshots(size: float = 1.0) -> list[Row]:
    """Published stock totals on other dates against the synthetic stock on those dates.

    One draw of admissions through the last day serves every day: a case's draws do not depend
    on the cut, and a change replayed after a day never moves who is in custody, or released,
    on it (its releases fall on or after its own day), so each day's count is that of the
    stock synthesized for it; people sentenced after a day are not counted on it.
    """
    path = targets_dir() / SNAPSHOTS_FILE
    if not path.exists():
        return []
    doc = read_yaml(path)
    for fig in [*doc["figures"], *doc.get("releases", [])]:
        figure_role(fig, path)
    params = load_parameters()
    days = [day(str(f["snapshot"])) for f in doc["figures"]]
    days += [day(str(f["day"])) for f in doc.get("releases", [])]
    everyone = admissions(params, seed=int(doc["seed"]), size=size, until=max(days))
    rows = []
    for fig in doc["figures"]:
        on = day(str(fig["snapshot"]))
        people = counted(float(in_custody(everyone, on).sum()) / size, fig["count"], params)
        rows.append(
            _judged(f"population on {fig['snapshot']}", f"size ({fig['count']})", fig, people)
        )
    for fig in doc.get("releases", []):  # people released on one day by a change of the law
        on = day(str(fig["day"]))
        sentenced = everyone.sentencing_date <= on  # a sentence of time served can end earlier
        released = float(((everyone.release_date == on) & sentenced).sum()) / size
        rows.append(_judged(f"released on {fig['day']}", "released", fig, released))
    return rows


FLOWS_FILE = "admission_cohorts.yaml"


def check_flows(size: float = 1.0) -> list[Row]:
    """Published figures of yearly admission cohorts against the synthetic cohorts.

    The cases are drawn through the last listed fiscal year and taken as sentenced (no
    retroactive amendment replayed: the figures describe sentences as imposed).
    """
    path = targets_dir() / FLOWS_FILE
    if not path.exists():
        return []
    doc = read_yaml(path)
    params = load_parameters()
    conv = conventions()
    last = conv.fiscal_year_end(max(int(f["cohort"]) for f in doc["figures"]))
    everyone = admissions(params, seed=int(doc["seed"]), size=size, until=last, replay_until=0)
    cohorts: dict[int, dict[str, float]] = {}
    rows = []
    for fig in doc["figures"]:
        figure_role(fig, path)
        fy = int(fig["cohort"])
        if fy not in cohorts:
            cohorts[fy] = cohort_figures(everyone, fy)
        value = cohorts[fy][fig["key"]] / (size if fig["key"] == "flow.count" else 1.0)
        rows.append(_judged(f"admissions FY{fy}", fig["key"], fig, value))
    return rows


def _judged(label: str, key: str, fig: dict, value: float) -> Row:
    """A figure against the model: within its tolerance, or inside its documented gap.

    The gap of ``expected_range`` is relative (model / published - 1) unless the figure has
    ``absolute_gap`` (model - published, for shares). A fitted figure with ``known_miss`` is a
    "known miss" while its miss stays within the stated ``bound``.
    """
    pub = float(fig["published"])
    if "expected_range" in fig:
        low, high = fig["expected_range"]
        relative = not fig.get("absolute_gap")
        gap = value / pub - 1 if relative else value - pub
        status = "known gap" if low <= gap <= high else "GAP MOVED"
        tol = (f"gap {100 * low:+.0f}%..{100 * high:+.0f}%" if relative
               else f"gap {low:+g}..{high:+g}")  # fmt: skip
        note = " ".join(str(fig["explanation"]).split())
        return Row(label, key, value, pub, fig["source"], tol, status, note, fig["role"])
    tol, relative = _tolerance(fig)
    miss = value / pub - 1 if relative else value - pub
    limit = fig["tolerance"] if relative else fig["tolerance_abs"]
    status, note = ("pass" if abs(miss) <= limit else "FAIL"), ""
    known = fig.get("known_miss")
    if known and status == "FAIL":  # a fitted figure the fit does not reach, for a stated reason
        status = "known miss" if abs(miss) <= known["bound"] else "FAIL"
        note = " ".join(str(known["explanation"]).split())
    return Row(label, key, value, pub, fig["source"], tol, status, note, fig["role"])


def validate(names: list[str] | None = None, *, size: float = 1.0) -> list[Row]:
    """Check every scenario with targets (or the named ones) and the population snapshots."""
    files = target_files()
    unknown = [n for n in names or [] if n not in files]
    if unknown:
        raise InputError(
            f"no published figures for {', '.join(unknown)}; known: {', '.join(files)}"
        )
    rows: list[Row] = []
    for name, path in files.items():
        if names and name not in names:
            continue
        rows.extend(check_scenario(name, path, size))
    if not names:
        rows.extend(check_snapshots(size))
        rows.extend(check_flows(size))
    return rows


@functools.cache
def _shipped_identity(relative: str) -> tuple[str, str]:
    """The title and content hash of the scenario a target file names."""
    shipped = load_scenario(project_file(relative))
    return shipped.title, shipped.sha256()


def target_file_for(scenario: Scenario) -> tuple[str, Path] | None:
    """The ``data/targets`` file whose ``scenario`` is this scenario, if any.

    Found by the scenario's identity, not by where its file is: its file is the one named, or
    it has the same content (hash), or the same file name and title as the scenario named
    (a copy of a shipped scenario, moved or run with ``--set``, keeps its published figures).

    Examples
    --------
    >>> target_file_for(load_scenario("2014_guidelines"))[0]
    '2014_guidelines'
    >>> target_file_for(load_scenario("equal_act")) is None
    True
    """
    mine = Path(scenario.source_path).resolve() if scenario.source_path else None
    stem = mine.stem if mine else None
    for name, path in target_files().items():
        named = str(read_yaml(path)["scenario"])
        if mine is not None and project_file(named).resolve() == mine:
            return name, path
        title, sha = _shipped_identity(named)
        if scenario.sha256() == sha or (stem == Path(named).stem and scenario.title == title):
            return name, path
    return None


def calibration_rows(scenario: Scenario, size: float) -> list[Row]:
    """The published figures of the scenario, model against published (empty if none)."""
    found = target_file_for(scenario)
    return check_scenario(found[0], found[1], size) if found else []


def published_figures(scenario: Scenario) -> dict[str, dict]:
    """Published figures for the scenario (from ``data/targets``) by summary key.

    Each holds ``published``, ``overrides`` (the settings it was published under) and
    ``source``; empty when the scenario has no target file.

    Examples
    --------
    >>> pub = published_figures(load_scenario("scenarios/2014_guidelines.yaml"))
    >>> pub["eligible"]["published"], pub["eligible"]["overrides"]
    (46290.0, {'grant.rate': 1})
    """
    found = target_file_for(scenario)
    if found is None:
        return {}
    doc = read_yaml(found[1])
    out: dict[str, dict] = {}
    for fig in [*doc.get("figures", []), *doc.get("known_differences", [])]:
        out.setdefault(
            fig["key"],
            {
                "published": float(fig["published"]),
                "overrides": dict(fig.get("overrides") or {}),
                "source": str(fig["source"]),
            },
        )
    return out
