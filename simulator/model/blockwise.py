"""The kernel on a large population, a block of people at a time, so its arrays stay in cache.

:func:`~simulator.model.reduction.reduce` makes a few hundred passes over arrays as long as the
population. At a million people and more each pass streams from main memory (and each new
temporary is fresh memory the kernel must zero), so a whole-array kernel runs at a fraction of
its speed on a population that fits the processor's caches. :func:`in_blocks` runs a per-person
function on consecutive slices of :data:`BLOCK_ROWS` people (views, no copies) and writes each
block's arrays into the whole result while they are still in cache.

This is exact only for a function whose every output row depends on that person's inputs
alone: no sums, ranks, queues or draws across people. The kernel without a court process is
such a function (every random number it reads is the person's own uniform); a court queue or a
clemency review ranks everyone and is never run in blocks. The results are then the same, bit
for bit, whatever the block size.

Examples
--------
>>> import numpy as np
>>> import simulator as sim
>>> pop = sim.synthesize(None, seed=1, size=0.02)
>>> def double(block, extra):
...     return {"twice": block.term * 2, "plus": block.term + extra}
>>> out = in_blocks(double, pop, (np.ones(len(pop), dtype=np.int16),), rows=500)
>>> bool((out["twice"] == pop.term * 2).all()), bool((out["plus"] == pop.term + 1).all())
(True, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from simulator.model.population import Population

#: People per block: the fastest on a 2-core AMD EPYC (1 MB of level-2 cache a core, 32 MB of
#: level 3): blocks of 32,768 and 131,072 were slower at 10 million people, 16,384 much slower.
BLOCK_ROWS = 65_536


def rows_of(pop: Population, start: int, stop: int) -> Population:
    """People ``start`` to ``stop`` (views of the population's arrays, not copies).

    Examples
    --------
    >>> import simulator as sim
    >>> pop = sim.synthesize(None, seed=1, size=0.01)
    >>> part = rows_of(pop, 10, 20)
    >>> len(part), bool(np.shares_memory(part.term, pop.term))
    (10, True)
    """
    return Population(**{k: v[start:stop] for k, v in pop.arrays().items()}, meta=pop.meta)


def in_blocks(
    function: Callable[..., Any],
    pop: Population,
    per_person: Sequence[np.ndarray],
    *,
    rows: int | None = None,
    **kwargs: Any,
) -> Any:
    """``function(block, *per_person_block, **kwargs)`` on blocks of ``rows`` people, assembled.

    Parameters
    ----------
    function : callable
        Computes a result over a population's people. Its result is an array per person, or a
        dataclass or dict of them (nested ones too, and ``None`` fields); every row must
        depend on that person's inputs alone (see the module's note).
    pop : Population
        The people, cut into consecutive blocks.
    per_person : sequence of ndarray
        Arrays of one value per person, cut with the people and passed after the block.
    rows : int, optional
        People per block (default :data:`BLOCK_ROWS`).
    **kwargs
        Passed to every call unchanged.

    Returns
    -------
    The result over the whole population, as one call on it would return it: arrays of the
    same values and dtypes. A population of ``rows`` people or fewer is one call.
    """
    n, rows = len(pop), rows or BLOCK_ROWS
    if n <= rows:
        return function(pop, *per_person, **kwargs)
    starts = range(0, n, rows)
    whole: Any = None
    for start in starts:
        stop = min(start + rows, n)
        part = function(rows_of(pop, start, stop), *(a[start:stop] for a in per_person), **kwargs)
        whole = _shaped(part, n) if whole is None else whole
        _put(whole, part, start, stop)
    return whole


def _fields(value: Any) -> dict[str, Any] | None:
    """The parts of a result that holds arrays (a dataclass or a dict), or None for a leaf."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return value
    return None


def _shaped(part: Any, n: int) -> Any:
    """An empty result for ``n`` people shaped as ``part`` (one block's result)."""
    fields = _fields(part)
    if fields is None:
        if isinstance(part, np.ndarray) and part.ndim == 1:
            return np.empty(n, dtype=part.dtype)
        if part is None:
            return None
        raise TypeError(f"a result in blocks holds arrays per person, not {type(part).__name__}")
    shaped = {k: _shaped(v, n) for k, v in fields.items()}
    return shaped if isinstance(part, dict) else dataclasses.replace(part, **shaped)


def _put(whole: Any, part: Any, start: int, stop: int) -> None:
    """Write one block's result into rows ``start`` to ``stop`` of the whole one."""
    fields = _fields(part)
    if fields is None:
        if part is None and whole is None:
            return
        if part is None or whole is None or part.dtype != whole.dtype or len(part) != stop - start:
            raise TypeError(f"a block's result {part!r:.40} does not fit the first block's")
        whole[start:stop] = part
        return
    into = _fields(whole)
    assert into is not None and into.keys() == fields.keys()
    for k, v in fields.items():
        _put(into[k], v, start, stop)


__all__ = ["BLOCK_ROWS", "in_blocks", "rows_of"]
