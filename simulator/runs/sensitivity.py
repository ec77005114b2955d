"""Which uncertain assumption drives each figure: Sobol indices with bootstrap intervals.

The model is the scenario applied to one population (the scenario's seed and the chosen size),
as a function of the scenario's uncertain assumptions (:mod:`simulator.scenario.uncertain`),
each drawn from its own distribution, independently. :func:`scipy.stats.sobol_indices`
(Saltelli 2010) estimates, for each figure and assumption,

``first_order``
    the share of the figure's variance due to the assumption alone;
``total_order``
    the share due to the assumption including its interactions with the others;

and resampling the model's evaluations gives bootstrap intervals of both. The population is
held fixed so that the indices split the variance due to the assumptions alone (the sampling
noise of the synthetic population is what replicates measure).

Examples
--------
>>> import numpy as np
>>> from scipy import stats
>>> t = sobol(lambda v: {"y": v["x1"] + 2 * v["x2"]},
...           {"x1": stats.uniform(), "x2": stats.uniform()}, ["y"], n=512, seed=1)
>>> t.set_index("assumption")["first_order"].round(1).to_dict()
{'x2': 0.8, 'x1': 0.2}
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from simulator import lazy
from simulator.errors import InputError
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.runs.replicates import headline
from simulator.scenario import Scenario, uncertain_fields, with_values

pd = lazy.module("pandas")
stats = lazy.module("scipy.stats")

COLUMNS = [
    "output",
    "assumption",
    "first_order",
    "first_lo",
    "first_hi",
    "total_order",
    "total_lo",
    "total_hi",
]


def _check(n: int, dists: Mapping) -> None:
    if n < 2 or n & (n - 1):
        raise InputError(f"n must be a power of two (e.g. 256), got {n}")
    if not dists:
        raise InputError("no uncertain assumptions: give some a distribution, e.g. "
                         "grant.rate: {beta: [68, 32]}")  # fmt: skip


def _seeded_bootstrap(res: Any, seed: int, *, confidence: float, resamples: int) -> Any:
    """``res.bootstrap(...)``, reproducibly.

    SciPy's ``SobolResult.bootstrap`` takes no generator and resamples from numpy's global one,
    so the intervals changed from run to run. It is seeded here from ``seed`` for the call, and
    the global state the caller had is put back.
    """
    # the legacy global generator is what SciPy draws from here, hence the legacy calls
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(np.random.SeedSequence(seed).generate_state(1)[0])  # noqa: NPY002
    try:
        return res.bootstrap(confidence_level=confidence, n_resamples=resamples)
    finally:
        np.random.set_state(state)  # noqa: NPY002


def sobol(
    model: Callable[[dict[str, float]], Mapping[str, float]],
    dists: Mapping[str, Any],
    outputs: Sequence[str],
    *,
    n: int = 256,
    seed: int = 0,
    confidence: float = 0.95,
    resamples: int = 200,
    integer: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Sobol first-order and total indices of ``outputs`` of ``model`` over ``dists``.

    Parameters
    ----------
    model : callable
        Maps ``{assumption: value}`` to a mapping holding every name in ``outputs``.
    dists : mapping of str to frozen scipy distributions
        The assumptions and their (independent) distributions.
    outputs : sequence of str
        Figures to explain.
    n : int
        Base sample size, a power of two; the model runs ``n * (len(dists) + 2)`` times.
    seed : int
        Seed of the quasi-random sample and of the bootstrap.
    confidence : float
        Probability of the bootstrap intervals.
    resamples : int
        Bootstrap resamples.
    integer : sequence of str
        Assumptions rounded to whole numbers before the model sees them.
    progress : callable, optional
        Called as ``progress(runs_done, runs_total)`` after each run of the model.

    Returns
    -------
    DataFrame
        ``output, assumption, first_order, first_lo, first_hi, total_order, total_lo,
        total_hi``, the assumptions of each output ranked by total index (NaN where the output
        does not vary).
    """
    _check(n, dists)
    names = list(dists)
    whole = set(integer)
    # scipy squeezes its results when there is one output; ask for at least two
    asked = list(outputs) * (2 if len(outputs) == 1 else 1)
    spread = np.zeros(len(asked))
    runs, done = n * (len(names) + 2), [0]

    def func(x: np.ndarray) -> np.ndarray:
        out = np.empty((len(asked), x.shape[1]))
        for j in range(x.shape[1]):  # one scenario per column of the sample
            values = {
                k: (round(float(x[i, j])) if k in whole else float(x[i, j]))
                for i, k in enumerate(names)
            }
            figures = model(values)
            out[:, j] = [figures[o] for o in asked]
            done[0] += 1
            if progress is not None:
                progress(done[0], runs)
        spread[:] = np.maximum(spread, np.ptp(out, axis=1))
        return out

    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.sobol_indices(func=func, n=n, dists=[dists[k] for k in names], rng=rng)
        boot = _seeded_bootstrap(res, seed, confidence=confidence, resamples=resamples)
    shape = (len(asked), len(names))

    def grid(a: Any) -> np.ndarray:
        g = np.asarray(a, dtype=np.float64).reshape(shape).copy()
        g[spread == 0] = np.nan  # an output that never varies has no variance to split
        return g

    def bound(a: Any, index: np.ndarray) -> np.ndarray:
        g = grid(a)  # an index of exactly 0 in every resample has no bootstrap spread
        return np.where(np.isnan(g) & (index == 0), 0.0, g)

    f_ci, t_ci = boot.first_order.confidence_interval, boot.total_order.confidence_interval
    first, total = grid(res.first_order), grid(res.total_order)
    cols = [first, bound(f_ci.low, first), bound(f_ci.high, first)]
    cols += [total, bound(t_ci.low, total), bound(t_ci.high, total)]
    rows = [
        (output, name, *(c[o, i] for c in cols))
        for o, output in enumerate(outputs)
        for i, name in enumerate(names)
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    order = {o: k for k, o in enumerate(outputs)}
    table = table.sort_values(
        ["output", "total_order"],
        key=lambda c: c.map(order) if c.name == "output" else -c.fillna(-np.inf),
        kind="stable",
    )
    return table.reset_index(drop=True)


def scenario_sensitivity(
    scenario: Scenario,
    outputs: Sequence[str],
    *,
    n: int = 256,
    size: float | None = None,
    seed: int | None = None,
    confidence: float = 0.95,
    resamples: int = 200,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Sobol indices of a scenario's figures over its uncertain assumptions.

    ``outputs`` are summary figures (dotted for nested ones, e.g. ``clemency.granted``); the
    population is the scenario's, at its seed (or ``seed``) and ``size``. ``progress`` is
    called as ``progress(runs_done, runs_total)`` after each run (a progress bar's callback).

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.with_overrides(sim.load_scenario("scenarios/2014_guidelines.yaml"),
    ...                        {"grant.rate": "{uniform: [0.5, 0.9]}"})
    >>> t = scenario_sensitivity(s, ["granted"], n=8, size=0.02, resamples=20)
    >>> t[["output", "assumption"]].values.tolist()
    [['granted', 'grant.rate']]
    """
    fields = uncertain_fields(scenario)
    _check(n, fields)
    population = synthesize(
        scenario.population, seed=scenario.seed if seed is None else seed, size=size
    )
    known = headline(apply(population, scenario).summary)
    unknown = [o for o in outputs if o not in known]
    if unknown:
        raise InputError(f"unknown output {', '.join(unknown)}; known: {', '.join(sorted(known))}")

    def model(values: dict[str, float]) -> dict[str, float]:
        return headline(apply(population, with_values(scenario, values)).summary)

    return sobol(
        model,
        {k: v.dist for k, v in fields.items()},
        outputs,
        n=n,
        seed=scenario.seed if seed is None else seed,
        confidence=confidence,
        resamples=resamples,
        integer=[k for k, v in fields.items() if v.integer],
        progress=progress,
    )
