"""Peak memory and time of a chunked run on a population file of 10 million people.

The file is the default population (the 2014 scenario's seed, size 1, ~100,000 people) written
as Parquet row groups over and over, ids re-numbered, until it holds ``ROWS`` people. The run
is ``simulate run scenarios/2014_guidelines.yaml --population FILE --chunk-rows 1000000
--json`` in a fresh process, which reports its own peak resident memory (``ru_maxrss``).

By default (CI) the file has 300,000 rows read in chunks of 100,000, so the benchmark is a
quick smoke test; ``SIMULATOR_BENCH_FULL=1`` makes it 10 million rows in chunks of a million
(``SIMULATOR_BENCH_CHUNK_ROWS`` sets another chunk size)::

    SIMULATOR_BENCH_FULL=1 uv run pytest benchmarks/test_bench_chunked.py --benchmark-enable -s
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import simulator as sim
from simulator.inputs.population_files import to_file_frame
from simulator.model.population import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "2014_guidelines.yaml"
FULL = os.environ.get("SIMULATOR_BENCH_FULL") == "1"
ROWS = 10_000_000 if FULL else 300_000
CHUNK_ROWS = int(os.environ.get("SIMULATOR_BENCH_CHUNK_ROWS", 1_000_000 if FULL else 100_000))
LIMIT_MB = 2048

CHILD = """
import json, resource, sys, time
t = time.perf_counter()
from click.testing import CliRunner
from simulator.cli import main
r = CliRunner().invoke(main, ["run", sys.argv[1], "--population", sys.argv[2],
                              "--chunk-rows", sys.argv[3], "--json"])
assert r.exit_code == 0, r.output
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": use.ru_utime + use.ru_stime,
                  "peak_rss_mb": use.ru_maxrss / 1024, "summary": json.loads(r.stdout)}))
"""


@pytest.fixture(scope="module")
def people_file(tmp_path_factory) -> Path:
    """A Parquet file of ``ROWS`` people, written one copy of the default population at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    scenario = sim.load_scenario(SCENARIO)
    pop = sim.synthesize(scenario.population, seed=scenario.seed, size=1.0)
    table = pa.Table.from_pandas(to_file_frame(pop, dates_as_text=False), preserve_index=False)
    table = table.cast(pa.schema([
        pa.field(n, pa.date32() if c.kind == "date" else table.schema.field(n).type)
        for n, c in SCHEMA.items()
    ]))  # fmt: skip
    path = tmp_path_factory.mktemp("bench") / "people.parquet"
    copies = math.ceil(ROWS / len(pop))
    with pq.ParquetWriter(path, table.schema) as writer:
        for k in range(copies):
            rows = min(len(pop), ROWS - k * len(pop))
            ids = pa.array(np.arange(k * len(pop), k * len(pop) + rows, dtype=np.int32))
            writer.write_table(table.slice(0, rows).set_column(0, "id", ids))
    return path


def test_chunked_run_of_a_large_file(benchmark, people_file):
    def run() -> dict:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(SCENARIO), str(people_file), str(CHUNK_ROWS)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(out.stdout)

    start = time.perf_counter()
    result = benchmark.pedantic(run, rounds=1, iterations=1)
    wall = time.perf_counter() - start
    s = result["summary"]
    assert s["population"] == s["population_file"]["rows_read"] == ROWS
    benchmark.extra_info.update(
        people=ROWS, chunk_rows=CHUNK_ROWS, peak_rss_mb=round(result["peak_rss_mb"]),
        seconds_in_process=round(result["seconds"], 1), seconds_wall=round(wall, 1),
        cpu_seconds=round(result["cpu_seconds"], 1),
        people_per_second=round(ROWS / result["seconds"]),
    )  # fmt: skip
    print(f"\n{ROWS:,} people in chunks of {CHUNK_ROWS:,}: {result['seconds']:.1f} s "
          f"({result['cpu_seconds']:.1f} s of CPU time: on a shared machine the steadier "
          f"figure), peak RSS {result['peak_rss_mb']:.0f} MB")  # fmt: skip
    # the bound of the issue: peak memory under 2 GB, whatever the number of people
    assert result["peak_rss_mb"] < LIMIT_MB
