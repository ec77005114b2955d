"""Synthetic populations larger than one block: synthesized, applied and added up block by block.

A synthetic population of ``size`` *S* above :data:`BLOCK_SIZE` (about 100,000 people in
custody at size 1) is never held whole. It is ⌈*S*⌉ blocks of size *S* / ⌈*S*⌉; block *i* is
drawn with its own seed, from ``SeedSequence(seed, spawn_key=(BLOCK_KEY, i))``, applied, and
added to a :class:`~simulator.runs.chunked.ChunkedOutcome` (whole counts, whole months and whole
days, so the totals are exact) in the order they finish: sums, so the figures are the same
whatever the number of worker processes. Peak memory is that of one block per worker.

A size of at most one block is one population drawn with the scenario's seed, as
:func:`~simulator.inputs.synthesis.synthesize` draws it. Scenarios whose queue ranks everyone
(clemency, a court process: :func:`~simulator.runs.chunked.whole_population_reason`) cannot be
added up in blocks; :func:`runs_in_blocks` says so and the caller draws them whole.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> block_sizes(2.5)
[0.8333333333333334, 0.8333333333333334, 0.8333333333333334]
>>> out = run_blocks(s, seed=1, size=0.04, block=0.02)
>>> out.chunks, out.summary["size"]
(2, 0.04)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from simulator.inputs.synthesis import synthesize
from simulator.law import load_law
from simulator.model.apply import apply
from simulator.model.outcomes import Outcome
from simulator.model.population import SCHEMA, Population
from simulator.runs.chunked import ChunkedOutcome, whole_population_reason
from simulator.scenario import Scenario

#: The largest population drawn in one piece (size 1: the whole stock, about 100,000 people).
BLOCK_SIZE = 1.0
#: First spawn-key slot of the block seeds (replicates use their index there, from 0 up).
BLOCK_KEY = 2**31


def block_sizes(size: float, block: float = BLOCK_SIZE) -> list[float]:
    """The sizes of the blocks of a population of ``size``: ⌈size / block⌉ equal ones.

    Examples
    --------
    >>> block_sizes(0.5), block_sizes(3.0), len(block_sizes(100.0))
    ([0.5], [1.0, 1.0, 1.0], 100)
    """
    n = max(1, math.ceil(size / block - 1e-9))
    return [size / n] * n


def block_seed(seed: int, i: int) -> int:
    """The population seed of block ``i`` of a run seeded ``seed``.

    Examples
    --------
    >>> block_seed(7, 0) == block_seed(7, 0), block_seed(7, 0) == block_seed(7, 1)
    (True, False)
    """
    return int(np.random.SeedSequence(seed, spawn_key=(BLOCK_KEY, i)).generate_state(1)[0])


def runs_in_blocks(scenario: Scenario, size: float, block: float = BLOCK_SIZE) -> bool:
    """Whether a synthetic run of ``size`` is drawn and added up in blocks.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> runs_in_blocks(s, 1.0), runs_in_blocks(s, 100.0)
    (False, True)
    """
    return size > block and whole_population_reason(scenario) is None


def one_block(scenario: Scenario, seed: int, i: int, size: float) -> ChunkedOutcome:
    """Draw block ``i`` (its own seed), apply the scenario, and return its added-up figures."""
    population = synthesize(scenario.population, seed=block_seed(seed, i), size=size)
    total = ChunkedOutcome(scenario)
    total.add(apply(population, scenario, law=load_law()))
    return total


def draw_blocks(
    scenario: Scenario, *, seed: int, size: float, block: float = BLOCK_SIZE
) -> Population:
    """The people :func:`run_blocks` draws, as one population: the blocks one after the other.

    Ids are renumbered from 0 over the whole population (each block numbers its own from 0);
    ``meta`` is the first block's, with the run's ``seed`` and ``size`` and the number of
    ``blocks``. Applying a scenario to it gives the summary :func:`run_blocks` adds up, so
    research code (:func:`simulator.runs.result.run`) gets the command line's figures with the
    people behind them, at the cost of holding them all.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> pop = draw_blocks(s, seed=1, size=0.04, block=0.02)
    >>> pop.meta["blocks"], pop.meta["size"], bool((pop.id == np.arange(len(pop))).all())
    (2, 0.04, True)
    >>> sim.apply(pop, s).summary == run_blocks(s, seed=1, size=0.04, block=0.02).summary
    True
    """
    spec = scenario.population
    if not runs_in_blocks(scenario, size, block):
        return synthesize(spec, seed=seed, size=size)
    sizes = block_sizes(size, block)
    parts = [synthesize(spec, seed=block_seed(seed, i), size=s) for i, s in enumerate(sizes)]
    arrays = {name: np.concatenate([getattr(p, name) for p in parts]) for name in SCHEMA}
    arrays["id"] = np.arange(len(arrays["id"]), dtype=arrays["id"].dtype)
    return Population.from_arrays(
        arrays, {**parts[0].meta, "seed": seed, "size": size, "blocks": len(sizes)}
    )


def run_blocks(
    scenario: Scenario,
    *,
    seed: int,
    size: float,
    workers: int = 1,
    block: float = BLOCK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ChunkedOutcome:
    """Apply ``scenario`` to a synthetic population of ``size``, one block at a time.

    Parameters
    ----------
    scenario : Scenario
        A scenario that can be added up in pieces (no clemency, no court process).
    seed : int
        The run's seed; each block's seed is derived from it and the block's index.
    size : float
        The population's size (1: the whole stock).
    workers : int
        Processes drawing blocks at once (1: in this process). The figures do not depend on it.
    block : float
        The largest block.
    progress : callable, optional
        Called with the blocks done and their number.

    Returns
    -------
    ChunkedOutcome
        The summary, waves and breakdowns of the whole population; its ``size`` is ``size``.
    """
    # the process pool's modules load only when a run is in blocks
    from simulator.runs.executors import RUNNERS, reported

    sizes = block_sizes(size, block)
    tasks = [(scenario, seed, i, s) for i, s in enumerate(sizes)]
    runner = RUNNERS["process" if workers > 1 and len(tasks) > 1 else "serial"]
    total = ChunkedOutcome(scenario)
    # in any order: the figures are sums, and every block has the scenario's months
    for part in reported(runner(one_block, tasks, workers, None), len(tasks), progress):
        total.merge(part)
    total.meta.update(seed=seed, size=size, blocks=len(sizes))
    return total


def run_synthetic(
    scenario: Scenario,
    *,
    seed: int,
    size: float | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome | ChunkedOutcome:
    """The scenario on its synthetic population, as ``simulate run`` draws it: whole or in blocks.

    Parameters
    ----------
    scenario : Scenario
    seed : int
        The population's seed.
    size : float, optional
        The population's size (default: the scenario's ``population.size``). Above one block
        (and for a scenario that can be added up), :func:`run_blocks` runs it.
    workers, progress
        As :func:`run_blocks` takes them, for a run in blocks.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> run_synthetic(s, seed=1, size=0.02).summary == sim.run(s, seed=1, size=0.02).summary
    True
    """
    total = scenario.population.size if size is None else size
    if not runs_in_blocks(scenario, total):
        return apply(synthesize(scenario.population, seed=seed, size=size), scenario)
    return run_blocks(scenario, seed=seed, size=total, workers=workers, progress=progress)


__all__ = [
    "BLOCK_SIZE",
    "block_seed",
    "block_sizes",
    "draw_blocks",
    "one_block",
    "run_blocks",
    "run_synthetic",
    "runs_in_blocks",
]
