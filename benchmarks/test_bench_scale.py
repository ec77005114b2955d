"""Benchmarks of scale and of the machine's limits: apply from 10 thousand to 10 million people,
the memory-bandwidth bound, the reference calculator's speed, and whole ``simulate`` commands.

Under plain ``pytest`` every body runs once as a smoke test, at sizes up to a million. The 10
million rows need about 3 GB and a minute; they run when ``SIMULATOR_BENCH_FULL=1``::

    SIMULATOR_BENCH_FULL=1 uv run pytest benchmarks/test_bench_scale.py --benchmark-enable

Each benchmark stores people per second (and bytes, peak memory) in ``extra_info``;
``--benchmark-json=FILE`` keeps them.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import simulator as sim
from simulator.calendar import day
from simulator.model.changes import amendment_for
from simulator.model.reduction import reduce

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SCENARIO = ROOT / "scenarios" / "2014_guidelines.yaml"
FULL = os.environ.get("SIMULATOR_BENCH_FULL") == "1"
SIZES = [10_000, 100_000, 1_000_000] + ([10_000_000] if FULL else [])
#: People the reference calculator scores per round (it takes about 50 µs a person).
REFERENCE_PEOPLE = 2_000


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def population(scenario):
    return sim.synthesize(scenario.population, seed=scenario.seed, size=1.0)


def tiled(population, rows: int):
    """The default population cut or tiled to exactly ``rows`` people, ids renumbered."""
    copies = math.ceil(rows / len(population))
    arrays = {k: np.tile(v, copies)[:rows] for k, v in population.arrays().items()}
    arrays["id"] = np.arange(rows, dtype=np.int32)
    return sim.Population.from_arrays(arrays, {**population.meta, "tiled": copies})


def _record(benchmark, people: int, nbytes: int | None = None) -> None:
    benchmark.extra_info["people"] = people
    if nbytes is not None:
        benchmark.extra_info["bytes_per_person"] = round(nbytes / people, 1)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["people_per_second_best"] = round(people / stats.stats.min)


def _nbytes(pop) -> int:
    return sum(v.nbytes for v in pop.arrays().values())


@pytest.mark.parametrize("rows", SIZES, ids=[f"{n:_}" for n in SIZES])
def test_apply_scaling(benchmark, scenario, population, rows):
    """``apply`` (eligibility, reduced terms, grants, release days) from 10k to 10M people."""
    pop = tiled(population, rows)
    rounds = 3 if rows >= 1_000_000 else 10
    outcome = benchmark.pedantic(sim.apply, args=(pop, scenario), rounds=rounds, iterations=1)
    assert len(outcome.reduction.term) == rows
    _record(benchmark, rows, _nbytes(pop))


@pytest.mark.parametrize("rows", SIZES, ids=[f"{n:_}" for n in SIZES])
def test_memory_bandwidth_bound(benchmark, population, rows):
    """Streaming every population column once (read and write): what no pass can beat."""
    pop = tiled(population, rows)
    src = pop.arrays()
    dst = {k: np.empty_like(v) for k, v in src.items()}

    def stream() -> None:
        for k, v in src.items():
            np.copyto(dst[k], v)

    benchmark.pedantic(stream, rounds=5, iterations=1)
    assert all((dst[k] == v).all() for k, v in src.items())
    _record(benchmark, rows, _nbytes(pop))


def test_reference_calculator(benchmark, scenario, population):
    """The per-person reference on a slice of the default population (the speed-up baseline)."""
    sys.path.insert(0, str(TESTS))
    try:
        from reference_changes import reference_reduce_changes
        from test_reference_calculator import cases_of
    finally:
        sys.path.remove(str(TESTS))
    import yaml

    pop = population.take(np.arange(REFERENCE_PEOPLE))
    changes = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))["changes"]
    effective, earliest = day("2014-11-01"), day("2015-11-01")
    cases = cases_of(pop)

    def run() -> int:
        return sum(
            reference_reduce_changes(
                c, changes, effective=effective, earliest_release=earliest
            ).eligible
            for c in cases
        )

    eligible = benchmark.pedantic(run, rounds=3, iterations=1)
    law = sim.load_law()
    red = reduce(
        law,
        pop,
        amendment_for(law, scenario.changes, effective=effective),
        effective=effective,
        earliest_release=earliest,
        grant_prob=np.ones(len(pop)),
        uniforms=pop.u_grant,
    )
    assert eligible == int(red.eligible.sum())
    _record(benchmark, REFERENCE_PEOPLE)


#: Runs the CLI and prints the process's own peak resident memory (KB) on stderr at exit:
#: VmHWM of the new program (ru_maxrss would also count the forking test process's pages).
_MEASURED = (
    "import atexit, sys\n"
    "import resource\n"
    "def _peak():\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            print(line.split()[1], kids, file=sys.stderr)\n"
    "atexit.register(_peak)\n"
    "sys.argv = ['simulate', *sys.argv[1:]]\n"
    "from simulator.cli import main\n"
    "main()\n"
)


def _command(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) of one ``simulate`` command and of its largest
    worker process (0 without workers)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    own, workers = done.stderr.split()[-2:]
    return wall, int(own) / 1024, int(workers) / 1024


def test_simulate_run_command(benchmark):
    """``simulate run scenarios/2014_guidelines.yaml --json`` as a user types it (start-up too)."""
    result = benchmark.pedantic(
        _command, args=(["run", str(SCENARIO), "--json"],), rounds=3, iterations=1
    )
    benchmark.extra_info["peak_rss_mb"] = round(result[1])


def test_simulate_help_command(benchmark):
    """``simulate --help``: start-up alone (no numpy, pandas or scipy import)."""
    benchmark.pedantic(_command, args=(["--help"],), rounds=5, iterations=1)


@pytest.mark.skipif(not FULL, reason="10 million people: set SIMULATOR_BENCH_FULL=1")
@pytest.mark.parametrize("workers", [1, 2])
def test_simulate_run_size_100(benchmark, workers):
    """``simulate run ... --size 100``: about 10 million people, drawn and added up in blocks."""
    args = ["run", str(SCENARIO), "--size", "100", "--workers", str(workers), "--json", "--quiet"]
    result = benchmark.pedantic(_command, args=(args,), rounds=2, iterations=1)
    benchmark.extra_info["peak_rss_mb"] = round(result[1])
    benchmark.extra_info["worker_peak_rss_mb"] = round(result[2])
    # every process of the run at once: the main one and each worker at its peak
    benchmark.extra_info["total_peak_rss_mb"] = round(result[1] + workers * result[2])


@pytest.mark.skipif(not FULL, reason="10 million people: set SIMULATOR_BENCH_FULL=1")
def test_end_to_end_ten_million(benchmark, scenario, population):
    """Apply and summarize 10 million people (the default population tiled), as one run."""

    def run() -> dict:
        pop = tiled(population, 10_000_000)
        return sim.apply(pop, scenario).summary

    summary = benchmark.pedantic(run, rounds=2, iterations=1)
    assert summary["population"] == 10_000_000
    _record(benchmark, 10_000_000)
