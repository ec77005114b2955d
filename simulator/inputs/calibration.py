"""Fit the population generator to published marginals (``simulate calibrate``).

The free parameters in ``data/calibration/population_2014.yaml`` (section ``fitted``) are chosen
by :func:`scipy.optimize.least_squares` so that the stock in custody on the snapshot date matches
``data/targets/population_2014.yaml`` (a figure with ``as_of`` is matched by the stock on that
day instead, built from the same admissions: the BJS figures describe the end of FY2012), and
so that the stock on each day of the fitted totals of ``data/targets/population_snapshots.yaml``
(the BJS series, September 30 of 2008-2022), counted as their sources count, matches them. Each
residual is the miss divided by the figure's stated tolerance, so a residual inside ``[-1, 1]``
is a figure within tolerance. The draws use the calibration seed throughout (common random
numbers), which makes the objective deterministic.

The fit is expensive (hundreds of population builds); its result is data, committed to the
repository. Tests check that the committed parameters reproduce the figures; they never refit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from simulator import lazy
from simulator.calendar import day
from simulator.errors import InputError
from simulator.files import atomic_write_text
from simulator.inputs.parameters import Parameters, default_parameters_path, load_parameters
from simulator.inputs.synthesis import admissions, drawn_cases, generate
from simulator.law import DRUGS, conventions
from simulator.model.apply import apply
from simulator.model.population import RACES, Population, in_custody
from simulator.resources import data_dir, project_file, read_yaml
from simulator.scenario import load_scenario, with_overrides

pd = lazy.module("pandas")
optimize = lazy.module("scipy.optimize")

#: Called after each population build of a fit with the number of builds and the cost so far.
Progress = Callable[[int, float], None]


def targets_path() -> Path:
    """``data/targets/population_2014.yaml``."""
    return data_dir() / "targets" / "population_2014.yaml"


def snapshots_path() -> Path:
    """``data/targets/population_snapshots.yaml``: stock totals on given days."""
    return data_dir() / "targets" / "population_snapshots.yaml"


#: Custody definitions of published stock totals (``count`` of a snapshot figure).
COUNTS = ("ussc", "bjs")


def counted(people: float, count: str, params: Parameters) -> float:
    """The model's stock of ``people`` as a published total with custody definition ``count``.

    ``ussc`` counts everyone serving a drug-trafficking sentence (the stock as it is); ``bjs``
    counts those whose most serious offense is a drug offense, the fitted share
    ``custody.bjs_share`` of them.

    Examples
    --------
    >>> p = load_parameters()
    >>> counted(1000.0, "ussc", p)
    1000.0
    >>> 900 < counted(1000.0, "bjs", p) < 1000
    True
    """
    if count not in COUNTS:
        raise InputError(f"count must be one of {', '.join(COUNTS)}, not {count!r}")
    return people * (params.fitted["custody.bjs_share"] if count == "bjs" else 1.0)


def snapshot_targets(path: Path | None = None) -> list[dict]:
    """The fitted stock totals of ``population_snapshots.yaml`` as targets keyed ``stock.<day>``."""
    path = path or snapshots_path()
    return [
        {
            **fig,
            "key": f"stock.{fig['snapshot']}",
            "as_of": str(fig["snapshot"]),
            "relative": True,
            "weight": fig.get("weight", 1.0),
        }
        for fig in read_yaml(path)["figures"]
        if figure_role(fig, path) == "fitted"
    ]


def retroactivity_targets_path() -> Path:
    """``data/targets/2014_guidelines.yaml``."""
    return data_dir() / "targets" / "2014_guidelines.yaml"


ROLES = ("fitted", "check")


def figure_role(t: dict, path: Path) -> str:
    """A published figure's ``role`` (``fitted`` or ``check``); a file without one is refused."""
    role = t.get("role")
    if role not in ROLES:
        name = t.get("key", t.get("snapshot"))
        raise InputError(f"{path}: figure {name}: role must be one of {', '.join(ROLES)}")
    return role


def load_targets(path: Path | None = None) -> list[dict]:
    """The published figures the generator is fitted to (``role: fitted``), with sources.

    Stock marginals (``figures``) come first, then admission-cohort figures (``flows``, keyed
    with their fiscal year, e.g. ``flow.chc_1 (FY2023)``; ``figure`` keeps the plain key), then
    the fitted stock totals of other days (keys prefixed ``stock.``, from
    :func:`snapshot_targets`), then the fitted retroactivity figures (keys prefixed
    ``retro.``). A figure with ``role: check`` is never returned: checks stay out of sample.
    """
    path = path or targets_path()
    doc = read_yaml(path)
    retro = read_yaml(retroactivity_targets_path())
    fitted = [
        {
            **t,
            "key": f"retro.{t['key']}",
            "scenario": retro["scenario"],
            "tolerance": t.get("tolerance", t.get("tolerance_abs")),
            "relative": "tolerance" in t,
        }
        for t in retro["figures"]
        if figure_role(t, retroactivity_targets_path()) == "fitted"
    ]
    own = [t for t in doc["figures"] if figure_role(t, path) == "fitted"]
    # a figure of a cohort is keyed with its year: the same figure may be fitted in several
    flows = [
        {**t, "figure": t["key"], "key": f"{t['key']} (FY{t['cohort']})"}
        for t in doc.get("flows", [])
        if figure_role(t, path) == "fitted"
    ]
    return [*own, *flows, *snapshot_targets(), *fitted]


def load_priors(path: Path | None = None) -> list[dict]:
    """Priors on free parameters (``priors`` in the targets file): mean and sd each.

    A prior names one ``parameter``, or several (``parameters``) whose sum it holds.
    """
    return read_yaml(path or targets_path()).get("priors", [])


def prior_parameters(prior: dict) -> list[str]:
    """The parameters a prior holds (their sum, when there are several).

    Examples
    --------
    >>> prior_parameters({"parameter": "a"}), prior_parameters({"parameters": ["a", "b"]})
    (['a'], ['a', 'b'])
    """
    return list(prior["parameters"]) if "parameters" in prior else [prior["parameter"]]


def retro_statistics(stock: Population, targets: list[dict], size: float) -> dict[str, float]:
    """Figures of the retroactivity scenario the ``retro.*`` targets name, run on ``stock``."""
    out: dict[str, float] = {}
    cache: dict[tuple, dict] = {}
    for t in targets:
        if not t["key"].startswith("retro."):
            continue
        overrides = {k: str(v) for k, v in (t.get("overrides") or {}).items()}
        sig = (t["scenario"], tuple(sorted(overrides.items())))
        if sig not in cache:
            scenario = load_scenario(project_file(t["scenario"]))
            cache[sig] = apply(stock, with_overrides(scenario, overrides)).summary
        key = t["key"][len("retro.") :]
        # counts scale with the population's size; means and percentages do not
        value = float(cache[sig][key])
        out[t["key"]] = value if key.startswith("mean_") else value / size
    return out


def flow_statistics(everyone: Population, targets: list[dict]) -> dict[str, float]:
    """Figures of admission cohorts (``flow.*`` keys), each over its target's fiscal year."""
    cohorts: dict[int, dict[str, float]] = {}
    out = {}
    for t in targets:
        if not t["key"].startswith("flow."):
            continue
        fy = int(t["cohort"])
        if fy not in cohorts:
            cohorts[fy] = cohort_figures(everyone, fy)
        out[t["key"]] = cohorts[fy][t.get("figure", t["key"])]
    return out


def _share(mask: np.ndarray, within: np.ndarray | None = None) -> float:
    """Share of ``mask`` among everyone (or among ``within``); 0 when there is nobody.

    Examples
    --------
    >>> _share(np.array([True, False])), _share(np.array([True, False]), np.array([True, False]))
    (0.5, 1.0)
    >>> _share(np.array([], dtype=bool))
    0.0
    """
    if within is not None:
        mask = mask[within]
    return float(mask.mean()) if len(mask) else 0.0


def cohort_figures(everyone: Population, fy: int) -> dict[str, float]:
    """The ``flow.*`` figures of the cases sentenced in fiscal year ``fy``.

    ``flow.count`` is the number of cases at the population's scale (divide by its size).
    """
    sent, conv = everyone.sentencing_date, conventions()
    c = everyone.take((sent >= conv.fiscal_year_start(fy)) & (sent <= conv.fiscal_year_end(fy)))
    mm = c.mm_charged > 0
    relief = c.safety_valve | c.sub_assist
    term = c.term.astype(np.float64)

    def mean(mask: np.ndarray) -> float:
        return float(term[mask].mean()) if mask.any() else 0.0

    sv_only, sa_only = c.safety_valve & ~c.sub_assist, c.sub_assist & ~c.safety_valve
    meth = (c.drug == DRUGS.index("methamphetamine")) | (
        c.drug == DRUGS.index("methamphetamine_actual")
    )
    crack = c.drug == DRUGS.index("cocaine_base")
    return {
        "flow.count": float(len(c)),
        "flow.share.cocaine_base": _share(crack),
        "flow.share.methamphetamine": _share(meth),
        "flow.mean_sentence_months.cocaine_base": mean(crack),
        "flow.mean_sentence_months.methamphetamine": mean(meth),
        "flow.mean_sentence_months.marijuana": mean(c.drug == DRUGS.index("marijuana")),
        "flow.mean_sentence_months": mean(np.ones(len(c), dtype=bool)),
        "flow.mandatory_minimum": _share(mm),
        "flow.career_offender": _share(c.career),
        "flow.relief_within_mm": _share(relief, mm),
        "flow.mean_sentence_months.mm_no_relief": mean(mm & ~relief),
        "flow.mean_sentence_months.mm_relief": mean(mm & relief),
        "flow.mean_sentence_months.no_mm": mean(~mm),
        "flow.safety_valve": _share(c.safety_valve),
        "flow.chc_1": _share(c.category() == 0),
        "flow.relief_within_mm.safety_valve_only": _share(sv_only, mm),
        "flow.relief_within_mm.sub_assist_only": _share(sa_only, mm),
        "flow.relief_within_mm.both": _share(c.safety_valve & c.sub_assist, mm),
        "flow.mean_sentence_months.mm_sub_assist_only": mean(mm & sa_only),
        "flow.mean_sentence_months.mm_safety_valve_only": mean(mm & sv_only),
    }


def last_cohort_day(targets: list[dict], snapshot: int) -> int:
    """The last day the calibration needs cases for (the end of the latest target cohort)."""
    fys = [int(t["cohort"]) for t in targets if "cohort" in t]
    return max([snapshot, *(conventions().fiscal_year_end(fy) for fy in fys)])


def statistics(
    params: Parameters, *, seed: int, size: float, targets: list[dict]
) -> dict[str, float]:
    """Every calibrated figure (stock and admission cohorts) of one population build."""
    # one draw serves the 2014 stock, the cohorts and the totals of later days
    totals = [t for t in targets if t["key"].startswith("stock.")]
    first_cut = last_cohort_day(targets, params.snapshot)
    last = max([first_cut, *(day(t["as_of"]) for t in totals)])
    drawn = drawn_cases(params, seed=seed, size=size, until=last)
    everyone = admissions(
        params,
        seed=seed,
        size=size,
        until=first_cut,
        replay_until=params.snapshot,
        drawn=drawn,
    )
    stock = generate(params, seed=seed, size=size, everyone=everyone)
    out = {
        **stock_statistics(stock, size),
        **flow_statistics(everyone, targets),
        **retro_statistics(stock, targets, size),
    }
    # stock totals on other days, each counted as its source counts; the amendments of a day
    # after the snapshot are replayed (those after a day never move who is in custody on it)
    if totals:
        late = admissions(params, seed=seed, size=size, until=last, drawn=drawn)
        for t in totals:
            people = float(in_custody(late, day(t["as_of"])).sum()) / size
            out[t["key"]] = counted(people, t["count"], params)
    # marginals of a stock on another day (``as_of``): that day's stock, from the same admissions
    marginals = [t for t in targets if t.get("as_of") and not t["key"].startswith("stock.")]
    for on in sorted({str(t["as_of"]) for t in marginals}):
        other = stock_statistics(
            generate(params, seed=seed, size=size, snapshot=day(on), everyone=everyone), size
        )
        out.update({t["key"]: other[t["key"]] for t in marginals if str(t["as_of"]) == on})
    return out


def stock_statistics(pop: Population, size: float = 1.0) -> dict[str, float]:
    """The marginals of a stock, keyed as in ``data/targets/population_2014.yaml``.

    ``size`` is the scale the stock was built at; ``size`` in the result is per unit scale.
    """
    drug = pop.drug
    d = {name: drug == i for i, name in enumerate(DRUGS)}
    meth = d["methamphetamine"] | d["methamphetamine_actual"]
    race = {name: pop.race == i for i, name in enumerate(RACES)}
    snapshot = pop.meta.get("snapshot")
    age_now = pop.age.astype(float)
    if snapshot:
        age_now += (day(snapshot) - pop.sentencing_date) / conventions().days_per_year

    return {
        "size": len(pop) / size,
        "share.cocaine_all": _share(d["cocaine"] | d["cocaine_base"]),
        "share.cocaine_base": _share(d["cocaine_base"]),
        "share.methamphetamine": _share(meth),
        "share.marijuana": _share(d["marijuana"]),
        "share.heroin": _share(d["heroin"]),
        "share.other": _share(d["oxycodone"] | d["fentanyl"]),
        "race.black": _share(race["black"]),
        "race.hispanic": _share(race["hispanic"]),
        "race.white": _share(race["white"]),
        "race_within.cocaine_base.black": _share(race["black"], d["cocaine_base"]),
        "race_within.cocaine.hispanic": _share(race["hispanic"], d["cocaine"]),
        "race_within.methamphetamine.white": _share(race["white"], meth),
        "race_within.methamphetamine.hispanic": _share(race["hispanic"], meth),
        "noncitizen": _share(pop.noncitizen),
        "male": _share(~pop.female),
        "age_30_plus": _share(age_now >= 30),
        "chc_1": _share(pop.category() == 0),
        "weapon": _share(pop.weapon),
        "weapon_within.cocaine_base": _share(pop.weapon, d["cocaine_base"]),
        "mandatory_minimum": _share(pop.mm_charged > 0),
        "career_offender": _share(pop.career),
        "mean_sentence_months": float(pop.term.mean()) if len(pop) else 0.0,
        "mean_sentence_months.cocaine_base": float(pop.term[d["cocaine_base"]].mean())
        if d["cocaine_base"].any()
        else 0.0,
    }


def _is_share(key: str) -> bool:
    return not (key == "size" or "mean_" in key)


def compare(stats: dict[str, float], targets: list[dict]) -> pd.DataFrame:
    """Model against published figures: one row per figure with miss, tolerance and pass/fail."""
    rows = []
    for t in targets:
        model, pub, tol = stats[t["key"]], float(t["published"]), float(t["tolerance"])
        relative = t.get("relative", not _is_share(t["key"]))
        miss = model / pub - 1.0 if relative else model - pub
        rows.append(
            {
                "figure": t["key"],
                "model": model,
                "published": pub,
                "tolerance": tol,
                "relative": relative,
                "miss": miss,
                "ok": abs(miss) <= tol,
                "source": t["source"],
            }
        )
    return pd.DataFrame(rows)


@dataclass
class FitResult:
    """Outcome of a calibration run."""

    params: Parameters
    table: pd.DataFrame
    cost: float
    evaluations: int
    size: float
    message: str = ""  # the optimizer's reason for stopping


def fit(
    *,
    size: float = 1.0,
    max_evals: int = 400,
    progress: Progress | None = None,
    start: Parameters | None = None,
) -> FitResult:
    """Fit the free generator parameters by least squares (see module docstring).

    ``progress`` is called after each population build with the builds so far and the cost.
    """
    params = start or load_parameters()
    targets = load_targets()
    names = list(params.fitted)
    x0 = np.array([params.fitted[k] for k in names])
    weights = np.sqrt([float(t.get("weight", 1.0)) for t in targets])
    seed = params.calibration_seed
    calls = {"n": 0}

    def residuals(x: np.ndarray) -> np.ndarray:
        calls["n"] += 1
        p = params.with_fitted(dict(zip(names, x, strict=True)))
        table = compare(statistics(p, seed=seed, size=size, targets=targets), targets)
        r = (table["miss"] / table["tolerance"]).to_numpy() * weights
        if progress is not None:
            progress(calls["n"], 0.5 * float(r @ r))
        return r

    priors = [
        ([names.index(k) for k in prior_parameters(p)], float(p["mean"]), float(p["sd"]))
        for p in load_priors()
    ]

    def objective(x: np.ndarray) -> np.ndarray:
        prior = np.array([(x[i].sum() - mean) / sd for i, mean, sd in priors])
        return np.concatenate([residuals(x), prior])

    sol = optimize.least_squares(
        objective,
        x0,
        method="trf",
        diff_step=0.02,
        x_scale=1.0,
        max_nfev=max_evals,
        xtol=1e-6,
        ftol=1e-6,
    )
    best = params.with_fitted({k: round(float(v), 5) for k, v in zip(names, sol.x, strict=True)})
    table = compare(statistics(best, seed=seed, size=size, targets=targets), targets)
    return FitResult(best, table, float(sol.cost), calls["n"], size, str(sol.message))


def save(result: FitResult, path: Path | None = None) -> Path:
    """Write the fitted values into the parameter file (only its ``fitted`` section changes)."""
    path = path or result.params.path or default_parameters_path()
    source = result.params.path or default_parameters_path()
    lines = Path(source).read_text(encoding="utf-8").splitlines(keepends=True)
    out, in_fitted = [], False
    for line in lines:
        if line.startswith("fitted:"):
            in_fitted = True
            out.append(line)
            out.extend(f"  {k}: {v}\n" for k, v in result.params.fitted.items())
            continue
        if in_fitted and (line.startswith("  ") or not line.strip()):
            continue
        in_fitted = False
        out.append(line)
    text = "".join(out)
    yaml.safe_load(text)  # never write a file we could not read back
    atomic_write_text(Path(path), text)
    return Path(path)
